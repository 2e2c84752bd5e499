"""A rule as a manager writes it, checked before it is saved: a rule that cannot run is refused
with the reason, never stored to fail later in front of an agent."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from inbox.exceptions import InvalidInput
from inbox.guidelines.links import ascii_host
from inbox.guidelines.matching import pattern_error
from inbox.guidelines.rules import ACTIONS, DATA_KINDS

KINDS = ("personal_data", "words", "pattern", "links", "tag")
MAX_WORDS = 200
MAX_WORD_LENGTH = 100
MAX_PATTERN_LENGTH = 500


def _strings(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(_("Give a list of texts."), field=field)
    cleaned = [" ".join(v.split()) for v in value]
    cleaned = list(dict.fromkeys(v for v in cleaned if v))
    if len(cleaned) > MAX_WORDS or any(len(v) > MAX_WORD_LENGTH for v in cleaned):
        raise InvalidInput(
            _("At most %(n)d entries of at most %(m)d characters each.")
            % {"n": MAX_WORDS, "m": MAX_WORD_LENGTH},
            field=field,
        )
    return cleaned


def _domain(value: str) -> str:
    host = ascii_host(value.removeprefix("https://").removeprefix("http://").split("/")[0])
    labels = host.split(".")
    if len(labels) < 2 or not all(labels) or any(c.isspace() for c in host):
        raise InvalidInput(
            _("“%(domain)s” is not a domain name.") % {"domain": value}, field="allowed_domains"
        )
    return host


def _kind_fields(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The fields the kind uses, checked; the others are stored empty."""
    if kind == "words":
        words = _strings(data.get("words", []), "words")
        if not words:
            raise InvalidInput(_("Give at least one word or phrase."), field="words")
        return {"words": words}
    if kind == "pattern":
        pattern = data.get("pattern", "")
        if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN_LENGTH:
            raise InvalidInput(_("Give a pattern of at most 500 characters."), field="pattern")
        reason = pattern_error(pattern)
        if reason is not None:
            message = _("This regular expression is not valid: %(reason)s") % {"reason": reason}
            raise InvalidInput(message, field="pattern", reason=reason)
        return {"pattern": pattern}
    if kind == "links":
        domains = [_domain(d) for d in _strings(data.get("allowed_domains", []), "allowed_domains")]
        return {"allowed_domains": list(dict.fromkeys(domains))}
    if kind == "tag":
        tag = data.get("tag", "")
        if not isinstance(tag, str) or not tag.strip() or len(tag.strip()) > 50:
            raise InvalidInput(_("Name the tag (at most 50 characters)."), field="tag")
        return {"tag": tag.strip().lower()}
    kinds = _strings(data.get("data_kinds", []), "data_kinds")
    if not kinds or any(k not in DATA_KINDS for k in kinds):
        message = _("Choose among: %(kinds)s.") % {"kinds": ", ".join(DATA_KINDS)}
        raise InvalidInput(message, field="data_kinds")
    return {"data_kinds": kinds}


def clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a valid rule, or InvalidInput naming the field and the reason."""
    name = " ".join(str(data.get("name", "")).split())
    if not name or len(name) > 100:
        raise InvalidInput(_("Give the rule a name of at most 100 characters."), field="name")
    kind, action = data.get("kind"), data.get("action")
    if kind not in KINDS:
        raise InvalidInput(_("Unknown rule kind."), field="kind")
    if action not in ACTIONS:
        raise InvalidInput(_("The action is warn, approval or block."), field="action")
    empty = {"words": [], "pattern": "", "allowed_domains": [], "tag": "", "data_kinds": []}
    return {
        "name": name,
        "kind": kind,
        "action": action,
        "enabled": bool(data.get("enabled", True)),
        **empty,
        **_kind_fields(kind, data),
    }
