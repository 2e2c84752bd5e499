"""A corpus of hostile input: what customers (and careless or malicious clients) may send."""

from __future__ import annotations

XSS = (
    "<script>alert('svar-xss-1')</script>",
    "<img src=x onerror=alert('svar-xss-2')>",
    "\"><svg onload=alert('svar-xss-3')>",
    "javascript:alert('svar-xss-4')",
    "<a href=\"javascript:alert('svar-xss-5')\">klik</a>",
    "</textarea><script>alert('svar-xss-6')</script>",
    "<iframe srcdoc=\"<script>parent.alert('svar-xss-7')</script>\"></iframe>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "<style>body{display:none}</style>",
    "';alert('svar-xss-8');//",
)
SQL = (
    "'; DROP TABLE inbox_message; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "\\'; TRUNCATE inbox_conversation CASCADE; --",
)
UNICODE = (
    "Æble, øl og å — 👩‍👩‍👧‍👦 🇩🇰",
    "\u202eevil\u202c right-to-left override",
    "zero\u200bwidth\u200djoiner",
    "combining ḁ̴̛̗̞̣̝̥̘͐̋͛̈́̓̌̚",
)
CORPUS = XSS + SQL + UNICODE
# What PostgreSQL text cannot hold and a platform's JSON can still carry ("\u0000",
# "\ud800"; the simulator can serve only the first: it writes UTF-8, not escaped JSON).
NUL = "nul\x00byte"
LONE_SURROGATE = "lone \ud800 surrogate"
OVERSIZED = "Å" * 20_000  # far past any platform limit, still a message someone may paste
