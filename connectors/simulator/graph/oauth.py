"""Facebook Login as the simulator serves it (real hosts: www.facebook.com for the dialog,
graph.facebook.com for the rest; here one server answers both).

- ``GET /{v}/dialog/oauth?client_id&redirect_uri&state&scope``: the consent page listing the
  Pages the user manages, Continue / Cancel; Continue redirects with ``code`` and ``state``,
  Cancel with ``error=access_denied&error_reason=user_denied``. ``login_as=<user id>`` picks a
  user added with ``GraphApp.add_facebook_user`` (the demo admin, who manages every Page, by
  default).
- ``GET /{v}/oauth/access_token``: code → short-lived user token (a code works once: reuse is
  error 100/36009); ``grant_type=fb_exchange_token`` → a 60-day user token.
- ``GET /{v}/me/accounts``: the user's Pages with a Page token and its tasks; Page tokens work
  on every simulated Page endpoint. ``GET /{v}/me``: the user.
- ``GET /{v}/debug_token?input_token&access_token=app_id|secret``.
- ``DELETE /{v}/me/permissions``: revokes the consent and every token it produced (error 190).

Faults (``/_sim/faults``, platform ``graph``): ``consent_denied``, ``short_token`` and
``data_access_expiring`` (``lifetime_seconds``), ``missing_tasks`` (Pages listed without
MODERATE and MESSAGING).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors.simulator.consent import consent_page, error_page, redirect
from connectors.simulator.faults import FaultBoard, FaultKind
from connectors.simulator.graph import grants as g
from connectors.simulator.graph.wire import GraphFault, page_request, paginate
from connectors.simulator.graph.world import GraphWorld
from connectors.simulator.wire import SimRequest, SimResponse

ROUTES = (["dialog", "oauth"], ["oauth", "access_token"], ["debug_token"], ["me", "accounts"],
          ["me", "permissions"])  # fmt: skip
CATEGORY = "Government organization"


class GraphOAuth:
    def __init__(self, world: GraphWorld, now: Callable[[], datetime]) -> None:
        self.world = world
        self.grants = g.Grants()
        self._now = now

    def handles(self, request: SimRequest, segments: list[str]) -> bool:
        if segments in ROUTES:
            return True
        return segments == ["me"] and _token(request) in self.grants.tokens

    def handle(
        self, request: SimRequest, version: str, segments: list[str], faults: FaultBoard
    ) -> SimResponse:
        try:
            if segments == ["dialog", "oauth"]:
                return self._dialog(request, version, faults)
            if segments == ["oauth", "access_token"]:
                return self._access_token(request, faults)
            if segments == ["debug_token"]:
                return SimResponse.json(self._debug(request))
            user = self._user_token(request)
            if segments == ["me"]:
                return SimResponse.json({"id": user.consent.user_id, "name": self._name(user)})
            if segments == ["me", "accounts"] and request.method == "GET":
                return SimResponse.json(self._accounts(request, version, user, faults))
            if segments == ["me", "permissions"] and request.method == "DELETE":
                self._retire(self.grants.revoke(user.consent))
                return SimResponse.json({"success": True})
            raise GraphFault(f"(#100) Unsupported {request.method.lower()} request", code=100)
        except GraphFault as error:
            return error.response()

    # -- the dialog --------------------------------------------------------------------------

    def _dialog(self, request: SimRequest, version: str, faults: FaultBoard) -> SimResponse:
        params = request.form()
        for name in ("client_id", "redirect_uri"):
            if not params.get(name):
                return error_page(400, f"The parameter {name} is required.")
        user = self.grants.user(params.get("login_as"))
        if user is None:
            return error_page(400, f"No simulated Facebook user {params.get('login_as')}.")
        state = {"state": params["state"]} if params.get("state") else {}
        denied = {
            "error": "access_denied", "error_code": "200", "error_description": "Permissions error",
            "error_reason": "user_denied", **state,
        }  # fmt: skip
        if request.method == "GET" and faults.take(
            "graph", request.path, {FaultKind.CONSENT_DENIED}
        ):
            return redirect(params["redirect_uri"], denied)
        if request.method == "GET":
            return self._consent(params, user, version)
        if params.get("decision") != "allow":
            return redirect(params["redirect_uri"], denied)
        now = self._now()
        data_access = faults.take("graph", request.path, {FaultKind.DATA_ACCESS_EXPIRING})
        consent = g.Consent(
            user_id=user.id,
            app_id=params["client_id"],
            scopes=tuple(s for s in params.get("scope", "").replace(" ", ",").split(",") if s),
            issued_at=now,
            data_access_expires_at=now
            + (timedelta(seconds=data_access.lifetime_seconds) if data_access else g.DATA_ACCESS),
        )
        code = self.grants.new_code(consent, params["redirect_uri"])
        return redirect(params["redirect_uri"], {"code": code, **state})

    def _consent(
        self, params: Mapping[str, str], user: g.FacebookUser, version: str
    ) -> SimResponse:
        pages = [f"Page: {p['name']} ({p['id']})" for p in self._pages_of(user)]
        scopes = [f"Permission: {s}" for s in params.get("scope", "").split(",") if s]
        hidden = {
            k: params[k] for k in ("client_id", "redirect_uri", "state", "scope") if k in params
        }
        return consent_page(
            title="Log in with Facebook",
            intro=f"{params['client_id']} is requesting access for {user.name} to the Pages "
            "you manage:",
            items=[*pages, *scopes],
            action=f"/{version}/dialog/oauth",
            hidden={**hidden, "login_as": user.id},
            allow_label="Continue",
            deny_label="Cancel",
        )

    def _pages_of(self, user: g.FacebookUser) -> list[dict[str, str]]:
        with self.world.lock:
            pages = list(self.world.pages.values())
        wanted = user.page_ids
        return [p.ref for p in pages if wanted is None or p.id in wanted]

    # -- tokens ------------------------------------------------------------------------------

    def _access_token(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        args = request.form()
        for name in ("client_id", "client_secret"):
            if not args.get(name):
                raise GraphFault(f"Missing {name} parameter.", code=101)
        if args.get("grant_type") == "fb_exchange_token":
            user = self._valid(args.get("fb_exchange_token", ""), "USER")
            if user.consent.app_id != args["client_id"]:
                raise GraphFault("Error validating client secret.", code=1)
            token = self._mint_user(user.consent, g.LONG_LIVED, request, faults)
            return _token_answer(token, self._now())
        code = self._redeem(args)
        token = self._mint_user(code.consent, g.SHORT_LIVED, request, faults)
        return _token_answer(token, self._now())

    def _redeem(self, args: Mapping[str, str]) -> g.Code:
        with self.grants.lock:
            code = self.grants.codes.get(args.get("code", ""))
            if code is None:
                raise GraphFault("Invalid verification code format.", code=100)
            if code.used:
                raise GraphFault("This authorization code has been used.", code=100, subcode=36009)
            code.used = True
        if self._now() - code.issued_at > g.CODE_LIFETIME:
            raise GraphFault("This authorization code has expired.", code=100, subcode=36007)
        if (
            code.redirect_uri != args.get("redirect_uri")
            or code.consent.app_id != args["client_id"]
        ):
            raise GraphFault(
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                code=100, subcode=36008,
            )  # fmt: skip
        return code

    def _mint_user(
        self, consent: g.Consent, lifetime: timedelta, request: SimRequest, faults: FaultBoard
    ) -> g.GraphToken:
        short = faults.take("graph", request.path, {FaultKind.SHORT_TOKEN})
        if short:
            lifetime = timedelta(seconds=short.lifetime_seconds)
        return self.grants.mint("USER", consent, self._now(), lifetime)

    def _accounts(
        self, request: SimRequest, version: str, user: g.GraphToken, faults: FaultBoard
    ) -> dict[str, Any]:
        short = faults.take("graph", request.path, {FaultKind.SHORT_TOKEN})
        missing = faults.take("graph", request.path, {FaultKind.MISSING_TASKS})
        owner = self.grants.user(user.consent.user_id) or g.FacebookUser(
            user.consent.user_id, "", None
        )
        items = []
        for page in self._pages_of(owner):
            token = self._page_token(user, page["id"], short, missing is not None)
            items.append({
                **page, "access_token": token.value, "category": CATEGORY,
                "category_list": [{"id": "2235", "name": CATEGORY}], "tasks": list(token.tasks),
                **self._linked_instagram(request, page["id"]),
            })  # fmt: skip
        listing = page_request(request, f"/{version}/me/accounts", user.value)
        return paginate(items, listing)

    def _linked_instagram(self, request: SimRequest, page_id: str) -> dict[str, Any]:
        """The Page's Instagram business account, when asked for and linked."""
        if "instagram_business_account" not in request.form().get("fields", ""):
            return {}
        with self.world.lock:
            account = self.world.instagram.account_of(self.world.pages[page_id])
            return {"instagram_business_account": account.ref} if account else {}

    def _page_token(
        self, user: g.GraphToken, page_id: str, short: Any, lacks_tasks: bool
    ) -> g.GraphToken:
        """The Page token for this user token: the same one on every call, as Facebook does."""
        with self.grants.lock:
            known = self.grants.tokens.get(user.page_tokens.get(page_id, ""))
        if known is not None and not short and not lacks_tasks:
            return known
        # Page tokens from a long-lived user token never expire; otherwise they die with it.
        lifetime = None
        if user.expires_at is not None and user.expires_at - user.issued_at < g.LONG_LIVED:
            lifetime = user.expires_at - self._now()
        if short:
            lifetime = timedelta(seconds=short.lifetime_seconds)
        tasks = g.TASKS_WITHOUT_INBOX if lacks_tasks else g.ALL_TASKS
        token = self.grants.mint("PAGE", user.consent, self._now(), lifetime, page_id, tasks)
        with self.world.lock:
            self.world.tokens[token.value] = page_id
            if token.expires_at is not None:
                self.world.token_expiry[token.value] = token.expires_at
        with self.grants.lock:
            user.page_tokens[page_id] = token.value
        return token

    def _retire(self, page_tokens: list[str]) -> None:
        with self.world.lock:
            for value in page_tokens:
                self.world.tokens.pop(value, None)
                self.world.revoked_tokens.add(value)

    # -- inspection --------------------------------------------------------------------------

    def _debug(self, request: SimRequest) -> dict[str, Any]:
        args = request.form()
        app_id, bar, secret = (args.get("access_token") or "").partition("|")
        if not (app_id and bar and secret):
            raise GraphFault("Invalid OAuth access token signature.", code=190)
        input_token = args.get("input_token") or ""
        with self.grants.lock:
            token = self.grants.tokens.get(input_token)
        if token is None:
            return {"data": _invalid_token_data(app_id, input_token in self.world.tokens)}
        now = self._now()
        data: dict[str, Any] = {
            "app_id": token.consent.app_id,
            "type": token.kind,
            "application": f"App {token.consent.app_id}",
            "data_access_expires_at": _epoch(token.consent.data_access_expires_at),
            "expires_at": _epoch(token.expires_at),
            "is_valid": token.is_valid(now),
            "issued_at": _epoch(token.issued_at),
            "scopes": list(token.consent.scopes),
            "user_id": token.consent.user_id,
        }
        if token.kind == "PAGE":
            data["profile_id"] = token.page_id
        if token.consent.revoked:
            data["error"] = {"code": 190, "subcode": 458, "message": _NOT_AUTHORIZED}
        elif not data["is_valid"]:
            data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired."}
        return {"data": data}

    # -- helpers -----------------------------------------------------------------------------

    def _user_token(self, request: SimRequest) -> g.GraphToken:
        token = _token(request)
        if token in self.world.tokens:  # a Page token asking for a user's edge
            raise GraphFault(
                "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", code=100
            )
        return self._valid(token or "", "USER")

    def _valid(self, value: str, kind: str) -> g.GraphToken:
        with self.grants.lock:
            token = self.grants.tokens.get(value)
        if token is None or token.kind != kind:
            raise GraphFault("Invalid OAuth access token - Cannot parse access token", code=190)
        if token.consent.revoked:
            raise GraphFault(
                f"Error validating access token: {_NOT_AUTHORIZED}", code=190, subcode=458
            )
        if not token.is_valid(self._now()):
            raise GraphFault(
                "Error validating access token: Session has expired.", code=190, subcode=463
            )
        return token

    def _name(self, token: g.GraphToken) -> str:
        user = self.grants.user(token.consent.user_id) or self.grants.user(None)
        return user.name if user else ""


_NOT_AUTHORIZED = "The user has not authorized application."


def _token(request: SimRequest) -> str | None:
    return request.form().get("access_token") or request.bearer_token


def _token_answer(token: g.GraphToken, now: datetime) -> SimResponse:
    body: dict[str, Any] = {"access_token": token.value, "token_type": "bearer"}
    if token.expires_at is not None:
        body["expires_in"] = int((token.expires_at - now).total_seconds())
    return SimResponse.json(body)


def _epoch(moment: datetime | None) -> int:
    return 0 if moment is None else int(moment.timestamp())


def _invalid_token_data(app_id: str, is_fixed_page_token: bool) -> dict[str, Any]:
    if is_fixed_page_token:  # a simulator-only token set up without Facebook Login
        return {"app_id": app_id, "type": "PAGE", "is_valid": True, "expires_at": 0,
                "data_access_expires_at": 0, "scopes": []}  # fmt: skip
    return {
        "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
        "is_valid": False,
        "scopes": [],
    }
