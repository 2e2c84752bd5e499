"""A signed-in user without an agent profile (made with ``createsuperuser``, or a bare user) is
told so on every page and every API route: a 403 page in Svar's layout, or the API's JSON
error shape; never a 500. A superuser's pages lead instead to the first-run guide, where they
make their profile (tests/web/test_first_run.py). The routes are walked from the URL
configuration, so a new page or route is covered without being listed here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Open to any signed-in user: the admin (where a profile is given), logging in and out, the
# probes; the API's schema and its viewer describe the API, they hold no inbox data.
# An invitation's page is for people with no account yet; the guide is where a profile is made;
# the accessibility statement and the site icon are for anyone (issue #18); the platforms'
# webhook answers Meta, signed by the app secret, never a person (issue #20).
OPEN = re.compile(
    r"^/(admin/|login/|logout/|healthz|readyz|api/schema/|api/docs/|invitation/|welcome/"
    r"|accessibility/|favicon\.ico|webhooks/meta)"
)
SAMPLE_ARGUMENTS = {"int": "1", "slug": "agents", "str": "x", "path": "x"}


def _routes(resolvers: list, prefix: str = "") -> Iterator[str]:
    """Every route as a concrete path (converters filled in); regex routes are left out."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if hasattr(entry.pattern, "_route"):
                yield from _routes(entry.url_patterns, prefix + entry.pattern._route)
        elif isinstance(entry, URLPattern) and hasattr(entry.pattern, "_route"):
            yield "/" + re.sub(
                r"<(?:(\w+):)?\w+>",
                lambda m: SAMPLE_ARGUMENTS[m.group(1) or "str"],
                prefix + entry.pattern._route,
            )


ROUTES = sorted(path for path in _routes(get_resolver().url_patterns) if not OPEN.match(path))
PAGES = [path for path in ROUTES if not path.startswith("/api/")]
API_ROUTES = [path for path in ROUTES if path.startswith("/api/")]


@pytest.fixture(params=["superuser", "bare user"])
def profileless(request) -> Client:
    if request.param == "superuser":  # what createsuperuser makes
        user = User.objects.create_superuser("root", "root@example.com", "x" * 12)
    else:
        user = User.objects.create_user("visitor", password="x" * 12)
    client = Client()
    client.force_login(user)
    return client


def test_the_walk_finds_every_family_of_page_and_route():
    assert {"/", "/conversations/1/", "/conversations/1/pane", "/profile/", "/metrics/"} <= set(
        PAGES
    )
    assert {"/api/me", "/api/conversations", "/api/conversations/1/reply", "/api/audit"} <= set(
        API_ROUTES
    )
    assert "/api/metrics/summary" in API_ROUTES


@pytest.fixture
def bare_user() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("visitor", password="x" * 12))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_leads_a_superuser_without_a_profile_to_make_one(path):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x" * 12))
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"] == "/welcome/"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_tells_a_user_without_a_profile_to_ask_an_administrator(bare_user, path):
    response = bare_user.get(path)
    assert response.status_code == 403, path
    page = response.content.decode()
    assert "Your account has no agent profile; ask an administrator" in page
    assert 'class="topbar"' in page  # Svar's own layout, not a bare error


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", API_ROUTES)
def test_every_api_route_refuses_a_user_without_a_profile_in_the_json_shape(
    profileless, path, method
):
    response = getattr(profileless, method)(path, content_type="application/json")
    assert response.status_code == 403, path
    assert response.json() == {
        "error": {
            "code": "no_agent_profile",
            "message": "Your account has no agent profile; ask an administrator to give you one.",
            "details": {},
        }
    }


def test_the_refusal_is_in_the_users_language(bare_user):
    page = bare_user.get("/profile/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Din konto har ingen agentprofil" in page


def test_the_admin_stays_open_to_give_the_profile(profileless):
    response = profileless.get("/admin/")
    assert response.status_code in {200, 302}
