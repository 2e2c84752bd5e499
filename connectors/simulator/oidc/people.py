"""The people the simulated identity provider knows, each with the groups it would send."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class SimPerson:
    sub: str  # the provider's stable subject identifier
    email: str
    name: str
    groups: list[str] = field(default_factory=list)
    email_verified: bool = True

    def claims(self) -> dict[str, object]:
        given, _, family = self.name.partition(" ")
        return {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
            "given_name": given,
            "family_name": family,
            "groups": list(self.groups),
        }


def demo_people() -> list[SimPerson]:
    """Two colleagues for the demo; their groups match docs/operations.md's example mapping."""
    return [
        SimPerson("sim-sofie", "sofie@kommune.example", "Sofie Sand", ["svar-borgerservice"]),
        SimPerson(
            "sim-henrik", "henrik@kommune.example", "Henrik Holm", ["svar-borgerservice-ledere"]
        ),
    ]
