"""A local stand-in for the X API v2 and the Graph API, wire-exact, with switchable faults."""
