"""Connecting channel accounts through OAuth, renewing their tokens, disconnecting them.

- ``attempts``: an OAuth connection starts (admin, team, poll interval) and its callback
  claims the single-use attempt.
- ``x_connect`` / ``facebook_connect``: the callbacks; ``store``: an account connected or
  reconnected (same row: history, cursor and conversations kept).
- ``renewal``: X tokens renewed under the account's row lock; Facebook tokens inspected;
  ``mail_renewal``: e-mail XOAUTH2 tokens renewed the same way.
- ``disconnect``: revoked at the platform where possible, polling stopped, history kept.
"""

from inbox.services.channels.attempts import OAuthStart, oauth_connection_start
from inbox.services.channels.disconnect import channel_account_disconnect
from inbox.services.channels.facebook_connect import (
    FacebookPageChoice,
    FacebookPagesOffer,
    facebook_oauth_finish,
    facebook_pages_connect,
)
from inbox.services.channels.mail_renewal import mail_token_renew
from inbox.services.channels.renewal import facebook_token_inspect, x_token_renew
from inbox.services.channels.x_connect import x_oauth_finish

__all__ = [
    "FacebookPageChoice",
    "FacebookPagesOffer",
    "OAuthStart",
    "channel_account_disconnect",
    "facebook_oauth_finish",
    "facebook_pages_connect",
    "facebook_token_inspect",
    "mail_token_renew",
    "oauth_connection_start",
    "x_oauth_finish",
    "x_token_renew",
]
