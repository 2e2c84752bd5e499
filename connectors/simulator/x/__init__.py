"""A wire-exact X API v2 simulator: tweets, mentions, DMs, rate limits, errors."""
