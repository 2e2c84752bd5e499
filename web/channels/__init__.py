"""The admins' Channels page and its OAuth callbacks (issue #22), beside web/views/channels.py:
``links`` (the callback URLs given to the platforms), ``forms``, ``present`` (what each
account's token state says to a person), ``offer`` (the Facebook Pages offered, between the
callback and the admin's choice)."""
