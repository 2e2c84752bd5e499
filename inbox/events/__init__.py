"""Typed inbox events: appended to the durable log, then announced after commit.

The log (``InboxEvent``, a gap-free sequence per team) is the truth; the channel layer is only
a doorbell (docs/architecture.md §5, docs/realtime.md). Modules, by concept:

- ``kinds``: the event kinds and one constructor per kind (the payload's only author);
- ``snapshots``: what an event says about an agent, conversation, account, message or note;
- ``log``: :func:`~inbox.events.log.announce`, the one way a service publishes events;
- ``wire``: a logged event as clients receive it;
- ``doorbell``: the after-commit ring to the web processes and the "assigned to you" notice;
- ``replay``: which streams a user may follow, and catch-up reads from the log.
"""
