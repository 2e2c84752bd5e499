"""The approval queue page (approvers): replies waiting, oldest first, kept live; approve as
written or edited, or send back with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from inbox.events.replay import team_heads
from inbox.exceptions import InvalidInput
from inbox.params import id_param, int_param
from inbox.permissions.access import visible_team_ids
from inbox.permissions.guidelines import approver_of
from inbox.selectors.approvals import reply_approval_list_pending
from inbox.selectors.teams import team_list
from inbox.services.approval import reply_approve, reply_send_back
from web.views.strings import js_strings

QUEUE_MAX = 200


def _decide(request: HttpRequest) -> None:
    post = request.POST
    message_id = id_param(post, "message_id")
    if message_id is None:
        raise InvalidInput(_("Choose a reply."), field="message_id")
    revision = int_param(post, "revision", default=1, minimum=1, maximum=2**31 - 1)
    if post.get("decision") == "send_back":
        reply_send_back(
            user=request.user, message_id=message_id, revision=revision, note=post.get("note", "")
        )
        messages.success(request, _("Sent back to the author."))
        return
    body = post.get("body")
    if body is not None:  # a form's textarea sends CRLF line breaks
        body = body.replace("\r\n", "\n")
    reply_approve(user=request.user, message_id=message_id, revision=revision, body=body)
    messages.success(request, _("Approved: the reply is on its way."))


@login_required
def approval_page(request: HttpRequest) -> HttpResponse:
    approver_of(request.user)
    if request.method == "POST":
        try:
            _decide(request)
        except InvalidInput as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(reverse("approvals"))
    team_ids = [t.pk for t in team_list(team_ids=visible_team_ids(request.user))]
    heads = team_heads(team_ids)  # read before the queue: what commits after is replayed live
    pending = reply_approval_list_pending(user=request.user, limit=QUEUE_MAX)
    return render(
        request,
        "guidelines/approvals.html",
        {
            "pending": pending,
            "js_strings": js_strings(),
            "live": {"last_seq": {str(k): v for k, v in heads.items()}},
        },
    )


@login_required
def approval_queue_fragment(request: HttpRequest) -> HttpResponse:
    """The queue alone, for the page's script to swap in when an event says it changed."""
    approver_of(request.user)
    pending = reply_approval_list_pending(user=request.user, limit=QUEUE_MAX)
    return render(request, "guidelines/_queue.html", {"pending": pending})
