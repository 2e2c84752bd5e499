"""Factories for the inbox's rows. Inbound messages are made as connector DTOs and stored
through ``messages_ingest``, the one path production uses."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from connectors.base import ContactRef, InboundMessage, Platform, ThreadKind
from inbox.models import Agent, ChannelAccount, Team
from inbox.permissions.roles import Role

_ids = itertools.count(1_000_000)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


class AgentFactory(factory.django.DjangoModelFactory):
    """An agent with a role (default ``agent``) in the given teams."""

    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    public_name = factory.Sequence(lambda n: f"Agent {n}")
    initials = factory.LazyAttribute(lambda o: "".join(w[0] for w in o.public_name.split())[:4])
    signatures = factory.LazyFunction(dict)

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            self.teams.set(extracted)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if create:
            self.user.groups.add(Group.objects.get(name=Role(extracted or Role.AGENT).value))


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    platform = Platform.X
    display_name = factory.Sequence(lambda n: f"Account {n}")
    external_id = factory.Sequence(lambda n: str(9_000_000 + n))
    handle = factory.Sequence(lambda n: f"service{n}")
    team = factory.SubFactory(TeamFactory)
    credentials_ref = "SVAR_CREDENTIAL_TEST"


def inbound(
    *,
    thread: str = "thread-1",
    external_id: str | None = None,
    body: str = "Hej, hvornår kommer min årsopgørelse?",
    author: str = "cust-1",
    name: str = "Kirsten Madsen",
    handle: str = "kirsten_m",
    kind: ThreadKind = ThreadKind.PUBLIC,
    at: datetime | None = None,
    from_account: bool = False,
) -> InboundMessage:
    """One message as a connector would hand it to the inbox."""
    return InboundMessage(
        external_id=external_id or str(next(_ids)),
        thread_external_id=thread,
        kind=kind,
        author=ContactRef(external_id=author, name=name, handle=handle),
        body=body,
        sent_at=at or timezone.now() - timedelta(minutes=5),
        from_account=from_account,
    )
