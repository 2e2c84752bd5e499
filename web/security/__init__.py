"""Authentication and hardening: the permission backend, login throttling, CSP, and the keys
that seal channel tokens."""
