"""Agents set the name, initials and signatures customers see; a signature must name them."""

from __future__ import annotations

import pytest

from inbox.exceptions import InvalidInput
from inbox.services.profile import agent_profile_update

pytestmark = pytest.mark.django_db


def update(agent, **changes):
    values = {
        "public_name": "Mette Jensen",
        "initials": "MJ",
        "signatures": {"x": " /{name}", "facebook": "\n\nVenlig hilsen {name}"},
        "language": "da",
        **changes,
    }
    return agent_profile_update(user=agent.user, **values)


def test_the_profile_is_saved(agent):
    update(
        agent, public_name="  Mette   K. Jensen ", initials="MKJ", signatures={"x": " ^{initials}"}
    )
    agent.refresh_from_db()
    assert (agent.public_name, agent.initials, agent.language) == ("Mette K. Jensen", "MKJ", "da")
    assert agent.signatures["x"] == " ^{initials}"


def test_an_empty_signature_falls_back_to_the_default(agent):
    update(agent, signatures={"x": "   "})
    agent.refresh_from_db()
    assert "x" not in agent.signatures


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"public_name": "  "}, "public_name"),
        ({"public_name": "x" * 81}, "public_name"),
        ({"initials": ""}, "initials"),
        ({"initials": "ABCDE"}, "initials"),
        ({"initials": "M J"}, "initials"),
        ({"language": "fr"}, "language"),
        ({"signatures": {"x": " – Kundeservice"}}, "signature_x"),  # names no one
        ({"signatures": {"facebook": "{name}" + "!" * 300}}, "signature_facebook"),
        ({"signatures": {"myspace": "/{name}"}}, "signatures"),
    ],
)
def test_invalid_profiles_are_refused_and_nothing_changes(agent, changes, field):
    with pytest.raises(InvalidInput) as refused:
        update(agent, **changes)
    assert refused.value.details["field"] == field
    agent.refresh_from_db()
    assert agent.public_name == "Mette Jensen"
