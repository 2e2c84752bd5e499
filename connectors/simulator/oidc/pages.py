"""The provider's sign-in page: pick a simulated person, see their groups, continue."""

from __future__ import annotations

from html import escape

from connectors.simulator.oidc.people import SimPerson

_CARRIED = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def sign_in_page(people: list[SimPerson], params: dict[str, str], *, action: str) -> bytes:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params[name])}">'
        for name in _CARRIED
        if name in params
    )
    choices = "".join(
        f'<li><form method="post" action="{action}">{hidden}'
        f'<input type="hidden" name="person" value="{escape(p.sub)}">'
        f'<button type="submit">Continue as {escape(p.name)}</button> '
        f"<small>{escape(p.email)} · groups: {escape(', '.join(p.groups) or '—')}</small>"
        "</form></li>"
        for p in people
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Simulated identity provider</title></head><body>"
        "<h1>Simulated identity provider</h1>"
        f"<p>{escape(params.get('client_id', ''))} asks to know who you are and your groups.</p>"
        f"<ul>{choices}</ul></body></html>"
    )
    return html.encode()
