"""A wire-exact Graph API simulator: Page comments, Messenger, usage headers, errors."""
