"""Filling in a canned response's placeholders for one conversation."""

from __future__ import annotations


def fill_placeholders(body: str, *, customer_name: str, agent_name: str) -> str:
    # str.replace, not str.format: other braces in the text stay as written.
    return body.replace("{customer_name}", customer_name).replace("{agent_name}", agent_name)
