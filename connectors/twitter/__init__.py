"""X (Twitter) API v2: mentions and direct messages in, public replies and DMs out."""
