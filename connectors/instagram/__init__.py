"""Instagram business accounts linked to a Facebook Page (Instagram Graph API, facebook-sdk)."""
