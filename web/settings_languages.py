"""Languages (issue #18): the UI's languages are LANGUAGES in settings.py; this is the default
language of the texts Svar writes to customers when a team sets none ("" = the agent's own)."""

import os

SVAR_CUSTOMER_LANGUAGE = os.environ.get("SVAR_CUSTOMER_LANGUAGE", "")
