"""The simulator's own small HTTP vocabulary, shared by the platform modules."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True, slots=True)
class SimRequest:
    method: str
    path: str  # without the query string
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        """Form fields (x-www-form-urlencoded) merged over query arguments, as Graph accepts."""
        merged = {k: v[0] for k, v in self.query.items() if v}
        content_type = self.headers.get("content-type", "")
        if self.body and "application/x-www-form-urlencoded" in content_type:
            merged.update({k: v[0] for k, v in parse_qs(self.body.decode()).items() if v})
        elif self.body and "multipart/form-data" in content_type:  # uploads (issue #13)
            from connectors.simulator.multipart import fields

            merged.update(fields(self))
        return merged

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def bearer_token(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None


@dataclass(slots=True)
class SimResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # A big body sent in pieces (``length`` bytes in all) instead of ``body``.
    chunks: Iterable[bytes] | None = None
    length: int = 0

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        return cls(
            status=status,
            body=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
