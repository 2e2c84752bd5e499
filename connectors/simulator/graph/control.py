"""The Graph simulator's own control API under ``/_sim/graph/`` (JSON in, JSON out).

``POST pages`` / ``posts`` / ``comments`` / ``malformed_comments`` / ``messenger`` inject
traffic (bodies mirror the ``GraphApp.add_*`` arguments), ``DELETE comments/{id}`` deletes a
comment, ``POST tokens/{token}/expire`` expires a token, ``GET pages/{id}/replies`` and
``GET pages/{id}/personas`` show what the Page sent. ``POST users`` adds a Facebook Login user
(``user_id``, ``name``, ``page_ids``: null for every Page). ``POST webhooks`` sets where and
how webhooks are delivered (``url``, ``app_secret``, ``drop``, ``duplicate``, ``delay_ms``,
``reorder``, ``bad_signature``, ``seed``); ``GET webhooks`` reports what was delivered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.simulator.graph.instagram_control import instagram_control
from connectors.simulator.wire import SimRequest, SimResponse

if TYPE_CHECKING:
    from connectors.simulator.graph.app import GraphApp

CONTROL_PREFIX = "/_sim/graph/"


def graph_control(app: GraphApp, request: SimRequest) -> SimResponse:
    route = request.path.removeprefix(CONTROL_PREFIX).strip("/").split("/")
    method = request.method
    try:
        if route[0] == "instagram":
            return instagram_control(app.instagram, request)
        body = request.json() if request.body else {}
        if method == "POST" and route == ["pages"]:
            return SimResponse.json(app.add_page(body["page_id"], body["name"], body["token"]), 201)
        if method == "POST" and route == ["users"]:  # who may log in with Facebook Login
            page_ids = body.get("page_ids")
            app.add_facebook_user(
                body["user_id"], body["name"], None if page_ids is None else tuple(page_ids)
            )
            return SimResponse.json({"ok": True}, 201)
        if method == "POST" and route == ["posts"]:
            created = app.add_post(body["page_id"], body["message"], body.get("created_time"))
            return SimResponse.json(created, 201)
        if method == "POST" and route == ["comments"]:
            created = app.add_comment(
                body["post_id"], body["author"], body["message"], body.get("parent_id"),
                body.get("created_time"),
            )  # fmt: skip
            return SimResponse.json(created, 201)
        if method == "POST" and route == ["malformed_comments"]:
            return SimResponse.json(app.add_malformed_comment(body["post_id"], body["raw"]), 201)
        if method == "DELETE" and len(route) == 2 and route[0] == "comments":
            app.delete_comment(route[1])
            return SimResponse.json({"ok": True})
        if method == "POST" and route == ["messenger"]:
            created = app.add_messenger_message(
                body["page_id"], body["psid"], body.get("name", ""), body["text"],
                body.get("created_time"),
            )  # fmt: skip
            return SimResponse.json(created, 201)
        if route == ["webhooks"]:  # Meta's deliveries to Svar, and their faults (webhooks.py)
            if method == "POST":
                return SimResponse.json(app.webhooks.configure(body))
            return SimResponse.json(app.webhooks.report())
        if method == "POST" and route[:1] == ["tokens"] and route[2:] == ["expire"]:
            app.expire_token(route[1])
            return SimResponse.json({"ok": True})
        if method == "GET" and len(route) == 3 and route[0] == "pages":
            if route[2] == "replies":
                return SimResponse.json(app.page_replies(route[1]))
            if route[2] == "personas":
                return SimResponse.json(app.personas(route[1]))
    except KeyError as error:
        return SimResponse.json({"error": f"unknown or missing {error}"}, 404)
    except (TypeError, ValueError) as error:
        return SimResponse.json({"error": str(error)}, 400)
    return SimResponse.json({"error": "unknown graph control route"}, 404)
