"""What the rules say about one reply: the hits, and the strongest action among them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The verdict's action: "none" when nothing matched, else the strongest hit's. The others are
# the values of inbox.models.RuleAction (this package stays free of the ORM).
NONE, WARN, APPROVAL, BLOCK = "none", "warn", "approval", "block"
_STRENGTH = {NONE: 0, WARN: 1, APPROVAL: 2, BLOCK: 3}


@dataclass(frozen=True, slots=True)
class Match:
    """One stretch of the body a rule matched (offsets into the body, as the preview shows)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule that matched. ``rule_id`` is None for the agent's own "needs approval"."""

    rule_id: int | None
    rule_name: str
    kind: str
    action: str
    matches: tuple[Match, ...]
    message: str  # in the agent's language: the rule named, the words it matched

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule": self.rule_name,
            "kind": self.kind,
            "action": self.action,
            "matched": [{"text": m.text, "start": m.start, "end": m.end} for m in self.matches],
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    @property
    def action(self) -> str:
        return max((h.action for h in self.hits), key=_STRENGTH.__getitem__, default=NONE)

    @property
    def blocked(self) -> bool:
        return self.action == BLOCK

    @property
    def needs_approval(self) -> bool:
        return self.action == APPROVAL

    def of_action(self, action: str) -> list[Hit]:
        return [h for h in self.hits if h.action == action]

    def as_dict(self) -> dict[str, Any]:
        return {"action": str(self.action), "hits": [h.as_dict() for h in self.hits]}
