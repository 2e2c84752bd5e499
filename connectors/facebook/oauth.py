"""Facebook Login for Pages through facebook-sdk: code → user token → long-lived user token →
the Pages the user manages, each with its Page token and tasks.

Pure: HTTP in, frozen values out, failures as ``connectors.errors``. The same URL-rewriting
adapter as ``client.py`` points the SDK at ``base_url`` (the simulator) with a timeout. Traps
(docs/platforms.md §2.1): a code works once; a Page token lacking the MODERATE or MESSAGING
task cannot read comment authors or answer Messenger; data access ends 90 days after the
user's last login whatever the token's own expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import facebook
import requests

from connectors.errors import OAuthRefused, PlatformRejected, PlatformUnavailable
from connectors.facebook.client import DEFAULT_TIMEOUT, GRAPH_URL, GRAPH_VERSION, GraphAdapter
from connectors.facebook.failures import translate

FACEBOOK_SCOPES: tuple[str, ...] = (
    "pages_show_list", "pages_read_engagement", "pages_read_user_content",
    "pages_manage_metadata", "pages_manage_engagement", "pages_messaging",
)  # fmt: skip
REQUIRED_PAGE_TASKS: tuple[str, ...] = ("MODERATE", "MESSAGING")
FACEBOOK_DIALOG_BASE_URL = "https://www.facebook.com"
PAGE_FIELDS = "id,name,access_token,category,tasks,instagram_business_account{id,username}"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FacebookUserGrant:
    access_token: str
    expires_at: datetime | None  # None: does not expire


@dataclass(frozen=True, slots=True)
class FacebookPageGrant:
    page_id: str
    name: str
    access_token: str
    tasks: tuple[str, ...]
    missing_tasks: tuple[str, ...]  # the REQUIRED_PAGE_TASKS this Page token lacks
    # The Instagram business account linked to the Page (same Page token), if any.
    instagram_id: str = ""
    instagram_username: str = ""


@dataclass(frozen=True, slots=True)
class FacebookTokenInspection:
    is_valid: bool
    expires_at: datetime | None  # None: never
    data_access_expires_at: datetime | None
    scopes: tuple[str, ...]


def facebook_authorization_url(
    *, app_id: str, redirect_uri: str, state: str, dialog_base_url: str = ""
) -> str:
    """Where to send the admin's browser: the Login dialog asking for ``FACEBOOK_SCOPES``."""
    graph = facebook.GraphAPI()
    graph.version = GRAPH_VERSION
    url = graph.get_auth_url(app_id, redirect_uri, list(FACEBOOK_SCOPES), state=state)
    base = (dialog_base_url or FACEBOOK_DIALOG_BASE_URL).rstrip("/")
    return base + url[len(facebook.FACEBOOK_WWW_URL) - 1 :]


def facebook_exchange_code(
    *, app_id: str, app_secret: str, redirect_uri: str, code: str, base_url: str = ""
) -> FacebookUserGrant:
    """The user token for a dialog's code. ``OAuthRefused``: used, expired or wrong code."""
    graph = _graph(None, base_url)
    try:
        answer = _call(
            lambda: graph.get_access_token_from_code(code, redirect_uri, app_id, app_secret)
        )
    except PlatformRejected as refused:
        raise OAuthRefused(refused.reason) from refused
    return _user_grant(answer)


def facebook_long_lived(
    *, app_id: str, app_secret: str, user_token: str, base_url: str = ""
) -> FacebookUserGrant:
    """A 60-day user token for a short-lived one (``AuthExpired`` if that one is dead)."""
    graph = _graph(user_token, base_url)
    return _user_grant(_call(lambda: graph.extend_access_token(app_id, app_secret)))


def facebook_pages(*, user_token: str, base_url: str = "") -> list[FacebookPageGrant]:
    """Every Page the user manages, with its Page token and what that token may do."""
    graph = _graph(user_token, base_url)
    pages = _call(lambda: list(graph.get_all_connections("me", "accounts", fields=PAGE_FIELDS)))
    grants = []
    for page in pages:
        try:
            tasks = tuple(str(t) for t in page.get("tasks") or ())
            grants.append(
                FacebookPageGrant(
                    page_id=str(page["id"]),
                    name=str(page.get("name", "")),
                    access_token=str(page["access_token"]),
                    tasks=tasks,
                    missing_tasks=tuple(t for t in REQUIRED_PAGE_TASKS if t not in tasks),
                    **_linked_instagram(page.get("instagram_business_account")),
                )
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise PlatformUnavailable(f"unexpected Page in me/accounts: {error!r}") from error
    return grants


def facebook_inspect(
    *, app_id: str, app_secret: str, token: str, base_url: str = ""
) -> FacebookTokenInspection:
    """What Facebook says about a user or Page token (``debug_token``), dead ones included."""
    graph = _graph(None, base_url)
    answer = _call(lambda: graph.debug_access_token(token, app_id, app_secret))
    data = answer.get("data")
    if not isinstance(data, dict):
        raise PlatformUnavailable(f"unexpected debug_token answer: {answer!r}")
    return FacebookTokenInspection(
        is_valid=data.get("is_valid") is True,
        expires_at=_moment(data.get("expires_at")),
        data_access_expires_at=_moment(data.get("data_access_expires_at")),
        scopes=tuple(str(s) for s in data.get("scopes") or ()),
    )


def facebook_revoke(*, user_token: str, base_url: str = "") -> None:
    """Revoke the user's grant to the app: the user token and its Page tokens stop working."""
    graph = _graph(user_token, base_url)
    answer = _call(lambda: graph.delete_object("me/permissions"))
    if answer.get("success") is not True:
        raise PlatformRejected(f"Facebook did not revoke the permissions: {answer!r}")


# -- plumbing ---------------------------------------------------------------------------------


def _graph(access_token: str | None, base_url: str) -> facebook.GraphAPI:
    session = requests.Session()
    session.mount(GRAPH_URL + "/", GraphAdapter(base_url or None, DEFAULT_TIMEOUT))
    graph = facebook.GraphAPI(access_token=access_token, session=session)
    graph.version = GRAPH_VERSION  # after construction: the SDK's check stops at 3.1
    graph.timeout = DEFAULT_TIMEOUT
    return graph


def _call(request: Callable[[], T]) -> T:
    try:
        result = request()
    except facebook.GraphAPIError as error:
        raise translate(error, None) from error
    except ValueError as error:  # unreadable JSON
        raise PlatformUnavailable(f"Graph sent unreadable JSON: {error}") from error
    except requests.RequestException as error:  # timeouts, refused connections
        raise PlatformUnavailable(f"Graph unreachable: {error!r}") from error
    except KeyError as error:  # facebook-sdk reads headers["content-type"] unguarded
        raise PlatformUnavailable(f"Graph response without {error}") from error
    if isinstance(result, dict | list):
        return result
    raise PlatformUnavailable(f"Graph sent {type(result).__name__}, not an object")


def _user_grant(answer: dict[str, Any]) -> FacebookUserGrant:
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise PlatformUnavailable(f"Graph's token answer has no access_token: {answer!r}")
    expires_in = answer.get("expires_in")
    expires_at = None
    if isinstance(expires_in, int) and expires_in > 0:
        expires_at = datetime.now(UTC) + timedelta(seconds=expires_in)
    return FacebookUserGrant(access_token=token, expires_at=expires_at)


def _moment(epoch: object) -> datetime | None:
    """Graph's epoch seconds; 0 (or nothing) means never."""
    if not isinstance(epoch, int) or epoch <= 0:
        return None
    return datetime.fromtimestamp(epoch, UTC)


def _linked_instagram(linked: Any) -> dict[str, str]:
    if not isinstance(linked, dict) or not linked.get("id"):
        return {}
    return {
        "instagram_id": str(linked["id"]),
        "instagram_username": str(linked.get("username", "")),
    }
