"""Request fields that take only what the published schema says they take.

DRF's fields coerce: a CharField takes 2765 as "2765", an IntegerField takes "5", a
BooleanField takes 0 and "yes". A client reading the schema (type: string, integer, boolean)
cannot rely on that, and a typo in a client would go unnoticed; these refuse with 400 instead.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty

from inbox.params import ID_MAX

# Characters that never make text visible (inbox/composer/visible.py): whitespace, control
# characters (NUL among them), the soft hyphen, combining diacritics, zero-width and direction
# characters, the blank glyphs. JSON Schema cannot name Unicode categories, so this lists the
# ranges Unicode assigns; the services refuse invisible text of any other kind themselves.
INVISIBLE = (
    r"\s\x00-\x1f\x7f-\x9f\u00ad\u0300-\u036f\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0"
)
# Some visible character, and no NUL anywhere (PostgreSQL cannot store it; DRF refuses it).
VISIBLE_TEXT_PATTERN = rf"^[^\x00]*[^{INVISIBLE}][^\x00]*$"


class TextField(serializers.CharField):
    """A JSON string, never a number or a boolean turned into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class VisibleTextField(TextField):
    """Text a person must be able to read (a reply, a note, a tag). Blank and invisible-only
    text reaches the service, which refuses it with its own error code (``reply_empty``); the
    schema states the rule as ``minLength`` and a pattern."""

    def run_validation(self, data: Any = empty) -> Any:
        # Not allow_blank=True: drf-spectacular would then publish "" as a valid alternative.
        if isinstance(data, str) and (data == "" or (self.trim_whitespace and not data.strip())):
            return ""
        return super().run_validation(data)


class VisibleTextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = VisibleTextField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field = self.target
        schema = {"type": "string", "minLength": 1, "pattern": VISIBLE_TEXT_PATTERN}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema


class WholeNumberField(serializers.IntegerField):
    """A JSON integer (an id or a version: at most PostgreSQL's bigint)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float) and data.is_integer():
            data = int(data)  # JSON Schema's integer: 7.0 is one
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TrueFalseField(serializers.BooleanField):
    """A JSON boolean: true or false."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


# Query parameters, as inbox/params.py parses them: the schemas their documentation states.
def whole_number(minimum: int = 1, maximum: int = ID_MAX) -> dict[str, Any]:
    """ASCII digits within [minimum, maximum] (an id by default)."""
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


# inbox.params.text_param trims whitespace, then refuses control characters other than tab and
# line breaks.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"


def query_text_pattern(max_length: int) -> str:
    """At most ``max_length`` characters once trimmed, none of them a control character."""
    edge, inner = f"[^{_CONTROL}\\s]", f"[^{_CONTROL}]"
    return rf"^\s*(?:{edge}|{edge}{inner}{{0,{max_length - 2}}}{edge})?\s*$"


def query_text(max_length: int) -> dict[str, Any]:
    """Free text of at most ``max_length`` characters (trimmed), without control characters."""
    return {"type": "string", "pattern": query_text_pattern(max_length)}
