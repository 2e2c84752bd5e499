"""The account's automatic moderation rules as a page: everyone of the team reads them,
managers and admins change them (the same service as the API, audited there)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from inbox.selectors.moderation import auto_moderation_get
from inbox.services.auto_moderation import auto_moderation_set


@login_required
@require_http_methods(["GET", "POST"])
def auto_moderation_page(request: HttpRequest, account_id: int) -> HttpResponse:
    rule = auto_moderation_get(user=request.user, account_id=account_id)
    if request.method == "POST":
        auto_moderation_set(
            user=request.user,
            account_id=account_id,
            hide_national_ids=request.POST.get("hide_national_ids") == "1",
            hide_words=request.POST.get("hide_words", "").splitlines(),
        )
        return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "moderation/rules.html",
        {
            "account": rule.account,
            "rule": rule,
            "words_text": "\n".join(rule.hide_words),
            "saved": request.GET.get("saved") == "1",
            "can_change": request.user.has_perm("inbox.change_automoderationrule"),
        },
    )
