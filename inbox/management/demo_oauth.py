"""The demo's channel accounts connected the way an admin connects them: through the
simulator's consent pages (OAuth), pressed by a plain HTTP client instead of a browser.

Used by ``svar_demo`` when the OAuth apps point at the simulator (``./svar run`` sets that up
and starts the simulator first). The simulator keeps its tokens in memory, so each start
connects again; an account that exists is reconnected in place (history and cursor kept).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from connectors.base import Platform
from connectors.simulator import demo
from inbox.models import ChannelAccount, Team
from inbox.services.channels import (
    facebook_oauth_finish,
    facebook_pages_connect,
    oauth_connection_start,
    x_oauth_finish,
)

TIMEOUT = 10


class _ConsentForm(HTMLParser):
    """The consent page's form: where it posts and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values.get("name", "")] = values.get("value", "")


def consent_allowed(authorize_url: str) -> dict[str, str]:
    """Open the consent page, press its "allow" button: the callback's query parameters."""
    page = requests.get(authorize_url, timeout=TIMEOUT)
    page.raise_for_status()
    form = _ConsentForm()
    form.feed(page.text)
    answer = requests.post(urljoin(authorize_url, form.action),
                           data={**form.fields, "decision": "allow"},
                           allow_redirects=False, timeout=TIMEOUT)  # fmt: skip
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or not location:
        raise RuntimeError(f"the simulator's consent page answered {answer.status_code}")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return {k: v for k, v in query.items() if k in ("state", "code", "error")}


def _start(user: AbstractBaseUser, platform: str, team: Team, path: str) -> str:
    started = oauth_connection_start(
        user=user, platform=platform, team_id=team.pk, poll_interval_seconds=30,
        redirect_uri=f"{settings.SVAR_PUBLIC_URL}{path}",
    )  # fmt: skip
    return started.authorize_url


def demo_accounts_connect(
    *, admin: AbstractBaseUser, x_team: Team, facebook_team: Team
) -> list[ChannelAccount]:
    """The demo X account and the demo Page, connected through the simulator's OAuth."""
    x_query = consent_allowed(_start(admin, Platform.X, x_team, "/channels/x/callback"))
    x_account = x_oauth_finish(user=admin, **x_query)
    fb_query = consent_allowed(
        _start(admin, Platform.FACEBOOK, facebook_team, "/channels/facebook/callback")
    )
    offer = facebook_oauth_finish(user=admin, **fb_query)
    pages = facebook_pages_connect(user=admin, attempt_id=offer.attempt_id,
                                   page_ids=[demo.FACEBOOK_PAGE_ID])  # fmt: skip
    # The Page's Instagram account goes to Skat: a second Facebook Login, for that team.
    ig_query = consent_allowed(
        _start(admin, Platform.FACEBOOK, x_team, "/channels/facebook/callback")
    )
    ig_offer = facebook_oauth_finish(user=admin, **ig_query)
    instagram = facebook_pages_connect(
        user=admin, attempt_id=ig_offer.attempt_id,
        page_ids=[f"instagram:{demo.INSTAGRAM_ACCOUNT_ID}"],
    )  # fmt: skip
    return [x_account, *pages, *instagram]
