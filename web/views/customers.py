"""The customer page (issue #19): one person's contacts and conversations on every channel,
contacts that look like them (merge), splitting a contact off; for managers and admins, what
Svar holds about them, its export as a ZIP and its erasure. Domain errors (another team's
customer, a role that may not) rise to web/errors.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inbox.exceptions import InvalidInput
from inbox.params import id_param
from inbox.permissions.access import readable_team_ids
from inbox.selectors.customer_data import data_scope, data_summary
from inbox.selectors.customers import (
    contact_access,
    merge_suggestions,
    person_contacts,
    person_conversations,
)
from inbox.services.customer_profiles import contact_unmerge, contacts_merge
from inbox.services.data_requests import data_erase
from web.customers.download import archive_response


def _context(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    contact = contact_access(request.user, contact_id)
    teams = readable_team_ids(request.user)
    handles_requests = request.user.has_perm("inbox.add_datarequest")
    return {
        "contact": contact,
        "contacts": person_contacts(teams, contact),
        "conversations": person_conversations(teams, contact),
        "suggestions": merge_suggestions(teams, contact),
        "summary": data_summary(data_scope(request.user, contact_id)) if handles_requests else None,
    }


@login_required
@require_GET
def customer_page(request: HttpRequest, contact_id: int) -> HttpResponse:
    return render(request, "customers/page.html", _context(request, contact_id))


@login_required
@require_POST
def customer_merge_page(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact_access(request.user, contact_id)  # another team's customer: not found, first
    other = id_param(request.POST, "contact_id")
    if other is None:
        raise InvalidInput(_("Choose the contact to merge."), field="contact_id")
    change = contacts_merge(user=request.user, contact_id=contact_id, other_id=other)
    if change.changed:
        messages.success(request, _("The contacts are now one customer."))
    else:
        messages.info(request, _("These contacts already are one customer; nothing changed."))
    return redirect("customer", contact_id)


@login_required
@require_POST
def customer_unmerge_page(request: HttpRequest, contact_id: int) -> HttpResponse:
    change = contact_unmerge(user=request.user, contact_id=contact_id)
    if change.changed:
        messages.success(request, _("The contact is a customer of its own again."))
    else:
        messages.info(request, _("This contact was not merged with another; nothing changed."))
    return redirect("customer", contact_id)


@login_required
@require_GET
def customer_export_page(request: HttpRequest, contact_id: int) -> StreamingHttpResponse:
    return archive_response(request, request.user, contact_id)


@login_required
@require_POST
def customer_erase_page(request: HttpRequest, contact_id: int) -> HttpResponse:
    data_scope(request.user, contact_id)  # refused before the form is looked at
    if request.POST.get("confirm") != "erase":
        raise InvalidInput(_("Tick the box to confirm the erasure."), field="confirm")
    erasure = data_erase(user=request.user, contact_id=contact_id)
    return render(request, "customers/erased.html", {"erasure": erasure})
