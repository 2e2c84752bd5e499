"""The Facebook Pages offered to the admin, kept in their session between the callback and
their choice: the callback's code works once, so the offer cannot be asked for again, and a
reload of the choice page (or a choice refused) must still show it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest

from inbox.services.channels import FacebookPageChoice, FacebookPagesOffer

SESSION_KEY = "svar_facebook_pages_offer"


def offer_keep(request: HttpRequest, offer: FacebookPagesOffer) -> None:
    request.session[SESSION_KEY] = {
        "attempt_id": offer.attempt_id,
        "pages": [asdict(page) for page in offer.pages],
    }


def offer_read(request: HttpRequest) -> FacebookPagesOffer | None:
    stored: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not stored:
        return None
    pages = tuple(
        FacebookPageChoice(
            page_id=page["page_id"], name=page["name"], tasks=tuple(page["tasks"]),
            missing_tasks=tuple(page["missing_tasks"]),
            existing_account_id=page["existing_account_id"],
            instagram_id=page.get("instagram_id", ""),
            instagram_username=page.get("instagram_username", ""),
        )
        for page in stored["pages"]
    )  # fmt: skip
    return FacebookPagesOffer(attempt_id=stored["attempt_id"], pages=pages)


def offer_choices(offer: FacebookPagesOffer) -> list[str]:
    """What the admin may tick: each Page, and each Page's linked Instagram account."""
    pages = [p.page_id for p in offer.pages]
    return pages + [f"instagram:{p.instagram_id}" for p in offer.pages if p.instagram_id]


def offer_forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
