"""Links in a reply and whether their host is on an allow list: with or without a scheme,
internationalised domain names compared in their ASCII (punycode) form, subdomains allowed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from inbox.guidelines.verdict import Match

_WITH_SCHEME = re.compile(r"(?i)\bhttps?://(?:[^\s/?#@]*@)?([^\s/?#:<>\"']+)[^\s<>\"']*")
# A host without a scheme: labels of letters, digits and hyphens (any script), then a path or not.
_BARE = re.compile(
    r"(?<![\w@./:-])((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+([^\W\d_]{2,}|xn--[a-z0-9-]+))"
    r"(?:/[^\s<>\"']*)?(?![\w@-])"
)
# Without a scheme, "f.eks." or "kl.10" must not count as links: a bare host counts when it
# starts with www., is followed by a path, or ends in one of these top-level domains.
_COMMON_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "info",
        "biz",
        "io",
        "dev",
        "app",
        "eu",
        "gov",
        "edu",
        "int",
        "co",
        "me",
        "tv",
        "ai",
        "xyz",
        "online",
        "site",
        "shop",
        "dk",
        "se",
        "no",
        "fi",
        "is",
        "fo",
        "gl",
        "ax",
        "de",
        "uk",
        "nl",
        "be",
        "fr",
        "es",
        "it",
        "pt",
        "pl",
        "at",
        "ch",
        "ie",
        "lu",
        "ee",
        "lv",
        "lt",
        "cz",
        "sk",
        "hu",
        "us",
        "ca",
        "au",
        "nz",
        "jp",
        "cn",
        "in",
        "ru",
        "br",
        "ly",
        "gg",
    ]
)


def ascii_host(host: str) -> str:
    """The host as DNS compares it: lower case, punycode for non-ASCII labels, no final dot."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host


def _allowed(host: str, allowed: Iterable[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in allowed)


def _trim(url: str) -> str:
    """A link at the end of a sentence: its closing punctuation is not part of it."""
    return url.rstrip(".,;:!?)]}»”'")


def links_outside(text: str, allowed_domains: Iterable[str]) -> list[Match]:
    """Every link in ``text`` whose host is neither an allowed domain nor below one."""
    allowed = [ascii_host(d) for d in allowed_domains]
    found: list[Match] = []
    for m in _WITH_SCHEME.finditer(text):
        url = _trim(m.group(0))
        if not _allowed(ascii_host(m.group(1)), allowed):
            found.append(Match(url, m.start(), m.start() + len(url)))
    taken = [(f.start, f.end) for f in found] + [m.span() for m in _WITH_SCHEME.finditer(text)]
    for m in _BARE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        url = _trim(m.group(0))
        host = m.group(1)
        has_path = "/" in url
        tld = ascii_host(m.group(2))
        if not (has_path or host.lower().startswith("www.") or tld in _COMMON_TLDS):
            continue
        if not _allowed(ascii_host(host), allowed):
            found.append(Match(url, m.start(), m.start() + len(url)))
    return sorted(found, key=lambda f: f.start)
