"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

provider.py reads the issuer's discovery document; backend.py verifies the ID token and hands
the claims to inbox.services.sso; views.py starts and ends the code flow; context.py tells the
templates which ways of signing in are open.
"""
