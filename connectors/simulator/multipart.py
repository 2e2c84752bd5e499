"""``multipart/form-data`` bodies (uploads) read with the standard library's e-mail parser."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from connectors.simulator.wire import SimRequest


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def is_multipart(request: SimRequest) -> bool:
    return "multipart/form-data" in request.headers.get("content-type", "").lower()


def parts(request: SimRequest) -> dict[str, Part]:
    """The body's parts by field name (empty when the body is not multipart)."""
    if not is_multipart(request):
        return {}
    head = f"Content-Type: {request.headers['content-type']}\r\nMIME-Version: 1.0\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head.encode() + request.body)
    found: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        found[str(name)] = Part(
            str(name),
            payload,
            part.get_filename(),
            part.get_content_type() if part.get("content-type") else "",
        )
    return found


def fields(request: SimRequest) -> dict[str, str]:
    """The text fields of a multipart body (the parts without a file name)."""
    return {name: p.text for name, p in parts(request).items() if p.filename is None}
