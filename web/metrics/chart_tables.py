"""Each dashboard chart's figures as a table (WCAG 1.1.1): the text alternative a screen reader
or a keyboard user reads, with the same links to the rows as the chart's marks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _cell(text: str, href: str | None) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)


def data_table(
    title: str, head: Sequence[str], rows: Iterable[tuple[str | None, Sequence[str]]]
) -> SafeString:
    """A collapsed table under the chart: the first column links to the rows it counts."""
    body = "".join(
        '<tr><th scope="row">'
        + _cell(cells[0], href)
        + "</th>"
        + "".join(f'<td class="num">{escape(c)}</td>' for c in cells[1:])
        + "</tr>"
        for href, cells in rows
    )
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return mark_safe(
        '<details class="chart-data"><summary>'
        + escape(_("%(chart)s as a table") % {"chart": title})
        + f"</summary><table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        "</details>"
    )
