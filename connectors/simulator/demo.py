"""The demo world: the accounts the simulator serves and Svar's demo channel accounts use.

Tokens here are simulator-only values; real deployments read theirs from the environment.
"""

from __future__ import annotations

X_ACCOUNT_ID = "1500000000000000001"
X_ACCOUNT_USERNAME = "skattefar_demo"
X_ACCOUNT_NAME = "Skattefar (demo)"
X_TOKEN = "x-demo-user-token"

FACEBOOK_PAGE_ID = "100000000000001"
FACEBOOK_PAGE_NAME = "Skattestyrelsen (demo)"
FACEBOOK_TOKEN = "fb-demo-page-token"

# The Instagram business account linked to the demo Page (read with the Page's token).
INSTAGRAM_ACCOUNT_ID = "17841400000000042"
INSTAGRAM_USERNAME = "skattemor_demo"
INSTAGRAM_NAME = "Skattemor (demo)"

# Svar's demo channel accounts read their tokens from these environment variables.
X_CREDENTIAL_ENV = "SVAR_CREDENTIAL_X_DEMO"
FACEBOOK_CREDENTIAL_ENV = "SVAR_CREDENTIAL_FACEBOOK_DEMO"
INSTAGRAM_CREDENTIAL_ENV = "SVAR_CREDENTIAL_INSTAGRAM_DEMO"  # the demo Page's token

# The Facebook user who consents in the simulated Facebook Login (graph/oauth.py): unless
# tests add others, this admin manages every simulated Page.
FACEBOOK_USER_ID = "10000000000000042"
FACEBOOK_USER_NAME = "Demo Admin"
