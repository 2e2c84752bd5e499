"""Every page carries a strict Content-Security-Policy, and no template relies on what it
forbids: inline scripts, event-handler attributes, javascript: URLs (or inline styles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def _templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize(
    "path", ["/login/", "/admin/login/", "/api/docs/", "/api/me", "/static/svar/svar.css"]
)
def test_responses_carry_the_strict_policy(path):
    response = Client().get(path, HTTP_HOST="127.0.0.1")

    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self' ws://127.0.0.1"
    assert "unsafe" not in policy


def test_the_api_docs_page_has_no_inline_script():
    page = Client().get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert not INLINE_SCRIPT.search(page)


@pytest.mark.parametrize("template", _templates())
def test_templates_have_no_inline_script(template):
    text = (TEMPLATES / template).read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to web/static and load it by src"
    assert not HANDLER_ATTRIBUTE.search(text), "attach handlers from a static script"
    assert not JAVASCRIPT_URL.search(text)


# A customer's sanitised HTML mail, served alone into a sandboxed frame under its own policy
# (web/views/email_html.py: no script, images only as data:, inline styles allowed, since mail
# carries its layout in them); never under Svar's page policy.
OWN_POLICY = {"inbox/email_html.html"}


@pytest.mark.parametrize("template", [t for t in _templates() if t not in OWN_POLICY])
def test_templates_have_no_inline_style(template):
    # Chromium ignores inline styles under style-src 'self': they would silently not apply.
    assert not INLINE_STYLE.search((TEMPLATES / template).read_text())
