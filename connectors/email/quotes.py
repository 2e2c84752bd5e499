"""Quoted history in a mail's text: found for display, never removed.

The stored text keeps the whole mail; the thread shows what the customer wrote now and folds
the rest into a ``<details>`` (``web/templates/inbox/_conversation.html``). The quoted part
starts at the first of:

- an attribution line, in English or a Nordic (or a few other) languages: "On 5 Dec 2026,
  Mette wrote:", "Den 5. dec. 2026 kl. 10.00 skrev Mette <…>:", "Am … schrieb …:" (with a
  date in it, which tells it from a sentence) — also when the client wrapped it over two lines;
- an Outlook separator: "-----Original Message-----", "-----Oprindelig meddelelse-----",
  "-----Ursprungligt meddelande-----", "-----Opprinnelig melding-----";
- a block of ``>`` lines that runs to the end of the text (blank lines allowed). Quotes
  answered inline, with the customer's words between them, are not folded: those words matter.

Nothing is folded when it would leave nothing shown (a mail that is only a quote).
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(on|den|am|le|op|el|il|pe|w dniu)\b.{0,400}"
    r"\b(wrote|skrev|skreiv|schrieb|a écrit|schreef|escribió|ha scritto|napisał)\b.{0,300}:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(original message|oprindelig meddelelse|ursprungligt meddelande|"
    r"opprinnelig melding|alkuperäinen viesti|ursprüngliche nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """(what is shown, the quoted history folded away); the two joined are the text."""
    lines = text.split("\n")
    start = _quote_start(lines)
    if start is None:
        return text, ""
    shown = "\n".join(lines[:start]).rstrip()
    if not shown.strip():
        return text, ""
    return shown, "\n".join(lines[start:]).strip("\n")


def _attribution(line: str) -> bool:
    """ "On <date>, <name> wrote:": a date (a digit) is what tells it from a sentence."""
    return bool(_ATTRIBUTION.match(line)) and any(c.isdigit() for c in line)


def _quote_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        after = lines[index + 1].strip() if index + 1 < len(lines) else ""
        two = f"{line} {after}" if 0 < len(after) < 40 else line  # "…<x@y>" / "wrote:"
        if _SEPARATOR.match(line) or _attribution(line) or _attribution(two):
            return index
    trailing = None
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            trailing = index
        elif stripped:
            break
    return trailing
