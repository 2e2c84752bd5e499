"""Who may do what: the three roles, and fetch-and-check access to conversations."""
