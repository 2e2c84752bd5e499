"""Users on the simulated X: a page's ``includes.users`` and the ``GET /2/users`` lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import wire


def page_users(
    request: SimRequest,
    items: Iterable[Mapping[str, Any]],
    kind: str,
    users: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    """The users the page's ``expansions`` ask for (tweet authors and replied-to users, or DM
    senders), each once, cut to ``user.fields``."""
    expansions = wire.csv_arg(request.arg("expansions"))
    ids: list[str] = []
    for item in items:
        if kind == "tweet":
            if "author_id" in expansions:
                ids.append(item["author_id"])
            if "in_reply_to_user_id" in expansions and item.get("in_reply_to_user_id"):
                ids.append(item["in_reply_to_user_id"])
        elif kind == "dm" and "sender_id" in expansions:
            ids.append(item["sender_id"])
    wanted = wire.csv_arg(request.arg("user.fields"))
    return [
        wire.select(users[i], wire.USER_DEFAULT_FIELDS, wanted)
        for i in dict.fromkeys(ids)
        if i in users
    ]


def users_by_ids(request: SimRequest, users: Mapping[str, Mapping[str, str]]) -> SimResponse:
    """``GET /2/users?ids=…``: the known ones in ``data``, the others as partial errors."""
    ids = [i for i in (request.arg("ids") or "").split(",") if i]
    if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
        return wire.invalid_request(
            "ids", request.arg("ids") or "", "The `ids` query parameter value is not valid"
        )
    wanted = wire.csv_arg(request.arg("user.fields"))
    body: dict[str, Any] = {}
    found = [wire.select(users[i], wire.USER_DEFAULT_FIELDS, wanted) for i in ids if i in users]
    if found:
        body["data"] = found
    missing = [wire.user_not_found(i) for i in ids if i not in users]
    if missing:
        body["errors"] = missing
    return SimResponse.json(body)
