"""A team's guidelines as HTML: Markdown (CommonMark, via markdown-it-py: maintained, the
reference-compatible parser) with raw HTML off, then sanitised by nh3 (Rust's ammonia) to a
small allow list, so what a manager writes can never carry script into an agent's page."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False})
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote"}
_TAGS |= {"code", "pre", "a", "hr"}


def render_markdown(text: str) -> str:
    html = _PARSER.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
