"""A message translated when it is shown, not when it is written (issue #18).

A domain error is raised in a service, often before anyone knows who will read it: an API
client with a token, a WebSocket, a job whose failure a manager reads later. So the error keeps
its message id (``gettext_lazy``) and its values, and each boundary (web/errors.py, the
WebSocket consumer) reads ``str(text)`` with the reader's language active. A message stored in
the database keeps the same two parts as JSON (``as_json`` / ``from_json``) and is translated
when a page or the API shows it.

    raise NotFound(Text(_("Team %(id)s was not found."), id=team_id))
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext


class Text:
    """A message id and its placeholders' values; ``str()`` is the active language's text."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: Any, **params: Any) -> None:
        self.msgid = msgid  # a gettext_lazy proxy, or the message id itself
        self.params = params

    def __str__(self) -> str:
        text = gettext(self.msgid) if isinstance(self.msgid, str) else str(self.msgid)
        if not self.params:
            return text
        return text % {key: _shown(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"Text({str(self.msgid)!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, (str, Text)) else other)

    def __hash__(self) -> int:
        return hash(str(self))

    def as_json(self) -> dict[str, Any]:
        """What a model stores: the English message id and plain values."""
        msgid = str(getattr(self.msgid, "_args", (self.msgid,))[0])
        return {"msgid": msgid, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, stored: Any) -> Text | str:
        """A stored message back; plain text written before (or by a platform) stays as it is."""
        if isinstance(stored, dict) and isinstance(stored.get("msgid"), str):
            params = stored.get("params")
            return cls(stored["msgid"], **(params if isinstance(params, dict) else {}))
        return str(stored or "")


_STORED_PREFIX = '{"msgid": '
PARAM_MAX = 1500  # a stored value is cut here, so the whole stays under a 2000-character column


def stored(text: Text | str) -> str:
    """What a text column keeps: a Text as JSON (translated when shown), other text as it is."""
    if not isinstance(text, Text):
        return str(text)
    data = text.as_json()
    data["params"] = {
        k: v[:PARAM_MAX] if isinstance(v, str) else v for k, v in data["params"].items()
    }
    return json.dumps(data, ensure_ascii=False)


def shown(value: str) -> str:
    """A text column's value in the active language: a stored Text translated, else as is."""
    if not value or not value.startswith(_STORED_PREFIX):
        return value or ""
    try:
        return str(Text.from_json(json.loads(value)))
    except (ValueError, TypeError, KeyError):
        return value


def _shown(value: Any) -> Any:
    """A placeholder's value: a nested message or lazy text in the same language."""
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) else str(value)
