"""Pages anyone may read without signing in: the accessibility statement (issue #18, as public
bodies in the Nordics must publish one) and the site icon at the address browsers ask for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: the icon under its versioned static address (cached there for a year)."""
    return redirect(static("svar/favicon.ico"))
