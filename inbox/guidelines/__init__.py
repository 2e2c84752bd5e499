"""Guideline rules (issue #16): pure matching of a reply's text against a team's rules, and the
verdict the reply service enforces and the composer shows (docs/architecture.md §7)."""
