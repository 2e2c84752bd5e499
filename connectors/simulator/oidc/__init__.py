"""The simulator's OpenID Connect provider: the sign-in page of an organisation's identity
provider (Entra ID, Google Workspace, Keycloak) for the single sign-on specs and the demo."""
