"""Graph API wire vocabulary for the simulator: times, errors, field expansion and paging.

Graph answers errors with a JSON body ``{"error": {...}}`` (facebook-sdk looks only at that,
never at the HTTP status), formats times as ``2021-07-23T09:28:50+0000`` and pages lists with
opaque cursors plus ``paging.next`` URLs that carry the caller's ``access_token``.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from connectors.simulator.wire import SimRequest, SimResponse

GRAPH_PUBLIC_URL = "https://graph.facebook.com"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # %z renders +0000, exactly as Graph does


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_moment(value: datetime | str | None, default: datetime) -> datetime:
    """Injection helpers accept a datetime, an ISO string, Graph's own format, or nothing."""
    if value is None:
        return default
    # Python 3.11 reads Graph's +0000 and a trailing Z alike.
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: give a time zone")
    return moment.astimezone(UTC).replace(microsecond=0)


def graph_error(
    message: str,
    *,
    code: int,
    subcode: int | None = None,
    type_: str = "OAuthException",
    status: int = 400,
    headers: Mapping[str, str] | None = None,
) -> SimResponse:
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if code in (1, 2, 4, 17, 32, 613):
        error["is_transient"] = True
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return SimResponse.json({"error": error}, status, headers)


class GraphFault(Exception):
    """Raised inside a handler to answer with a Graph error."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        subcode: int | None = None,
        type_: str = "OAuthException",
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type_ = type_
        self.status = status

    def response(self, headers: Mapping[str, str] | None = None) -> SimResponse:
        return graph_error(
            self.message,
            code=self.code,
            subcode=self.subcode,
            type_=self.type_,
            status=self.status,
            headers=headers,
        )


def missing_object(object_id: str, method: str) -> GraphFault:
    verb = "post" if method == "POST" else "get"
    return GraphFault(
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        code=100,
        subcode=33,
        type_="GraphMethodException",
    )


# --- field expansion: fields=id,comments.filter(stream).limit(5){id,message} ------------------


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    modifiers: Mapping[str, str] = field(default_factory=dict)
    children: tuple[FieldSpec, ...] | None = None
    children_text: str = ""  # the raw `{...}` content, reused in nested paging.next URLs


def parse_fields(text: str | None) -> tuple[FieldSpec, ...] | None:
    if not text:
        return None
    specs, end = _parse_list(text, 0)
    if end != len(text):
        raise GraphFault(f"Syntax error in fields at character {end}", code=2500)
    return specs


def _parse_list(text: str, pos: int) -> tuple[tuple[FieldSpec, ...], int]:
    specs: list[FieldSpec] = []
    while pos < len(text):
        spec, pos = _parse_item(text, pos)
        specs.append(spec)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return tuple(specs), pos


def _parse_item(text: str, pos: int) -> tuple[FieldSpec, int]:
    start = pos
    while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
        pos += 1
    name = text[start:pos].strip()
    if not name:
        raise GraphFault(f"Syntax error in fields at character {pos}", code=2500)
    modifiers: dict[str, str] = {}
    while pos < len(text) and text[pos] == ".":
        open_at = text.index("(", pos)
        close_at = text.index(")", open_at)
        modifiers[text[pos + 1 : open_at]] = text[open_at + 1 : close_at]
        pos = close_at + 1
    children: tuple[FieldSpec, ...] | None = None
    children_text = ""
    if pos < len(text) and text[pos] == "{":
        children, end = _parse_list(text, pos + 1)
        if end >= len(text) or text[end] != "}":
            raise GraphFault(f"Syntax error in fields at character {end}", code=2500)
        children_text = text[pos + 1 : end]
        pos = end + 1
    return FieldSpec(name, modifiers, children, children_text), pos


Edge = Callable[[FieldSpec], dict[str, Any] | None]


def project(
    node_type: str,
    scalars: Mapping[str, Any],
    edges: Mapping[str, Edge],
    requested: Sequence[FieldSpec] | None,
    defaults: Sequence[str],
) -> dict[str, Any]:
    """Render one node with the requested fields; absent values and empty edges are omitted."""
    specs = requested or tuple(FieldSpec(name) for name in defaults)
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name in scalars:
            if scalars[spec.name] is not None:
                out[spec.name] = scalars[spec.name]
        elif spec.name in edges:
            rendered = edges[spec.name](spec)
            if rendered is not None:
                out[spec.name] = rendered
        else:
            raise GraphFault(
                f"(#100) Tried accessing nonexisting field ({spec.name}) "
                f"on node type ({node_type})",
                code=100,
            )
    out.setdefault("id", scalars["id"])  # Graph always returns the id
    return out


# --- cursor paging -----------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sim:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.removeprefix("sim:"))
    except ValueError as error:
        raise GraphFault("(#100) Invalid cursor", code=100) from error


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Where a list page starts and how long it is, plus what ``paging.next`` must repeat."""

    url_path: str  # /v21.0/{id}/{edge}
    args: Mapping[str, str]  # query to repeat in paging.next (fields, filter, access_token…)
    offset: int = 0
    limit: int = 25
    duplicate: bool = False  # DUPLICATE_ITEMS fault: repeat an item of the previous page


def page_request(
    request: SimRequest, url_path: str, token: str, default_limit: int = 25
) -> PageRequest:
    args = {k: v for k, v in request.form().items() if k not in ("after", "before", "limit")}
    args["access_token"] = token
    after = request.form().get("after")
    return PageRequest(
        url_path=url_path,
        args=args,
        offset=decode_cursor(after) if after else 0,
        limit=_limit(request.form().get("limit"), default_limit),
    )


def nested_page_request(
    spec: FieldSpec, url_path: str, token: str, default_limit: int = 25
) -> PageRequest:
    args = {k: v for k, v in spec.modifiers.items() if k != "limit"}
    if spec.children_text:
        args["fields"] = spec.children_text
    args["access_token"] = token
    return PageRequest(
        url_path=url_path, args=args, limit=_limit(spec.modifiers.get("limit"), default_limit)
    )


def _limit(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return max(1, min(100, int(value)))
    except ValueError as error:
        raise GraphFault("(#100) Param limit must be an integer", code=100) from error


def paginate(items: Sequence[dict[str, Any]], page: PageRequest) -> dict[str, Any]:
    start = page.offset
    end = min(len(items), start + page.limit)
    data = list(items[start:end])
    if page.duplicate and data:
        # Repeat the last item of the previous page, or on a first page the first item.
        data = [items[start - 1], *data] if start > 0 else [*data, data[0]]
    body: dict[str, Any] = {"data": data}
    if not items[start:end]:
        return body
    body["paging"] = {"cursors": {"before": encode_cursor(start), "after": encode_cursor(end)}}
    if end < len(items):
        query = urlencode({**page.args, "limit": page.limit, "after": encode_cursor(end)})
        body["paging"]["next"] = f"{GRAPH_PUBLIC_URL}{page.url_path}?{query}"
    return body


def json_arg(value: str | None) -> Any:
    """Graph accepts JSON objects as form values (recipient={"id":"…"})."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value
