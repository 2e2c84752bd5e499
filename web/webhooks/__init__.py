"""Platform webhook endpoints (issue #20, docs/webhooks.md)."""
