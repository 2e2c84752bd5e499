"""The permission backend answers exactly as Django's model backend, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.permissions.roles import Role
from tests.factories import AgentFactory, UserFactory
from web.security.auth_backend import ModelBackendOneQuery

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache from an earlier call


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_the_same_permissions_as_with_the_stock_backend(role):
    user = AgentFactory(role=role).user
    ours = ModelBackendOneQuery().get_all_permissions(_fresh(user))
    assert ours == ModelBackend().get_all_permissions(_fresh(user))
    assert "inbox.view_conversation" in ours
    assert ("inbox.view_all_teams" in ours) == (role == Role.ADMIN)


def test_a_users_own_permissions_count_beside_their_groups():
    user = AgentFactory(role=Role.AGENT).user
    user.user_permissions.add(Permission.objects.get(codename="view_metrics"))
    ours = ModelBackendOneQuery().get_all_permissions(_fresh(user))
    assert {"inbox.view_metrics", "inbox.view_conversation"} <= ours
    assert ours == ModelBackend().get_all_permissions(_fresh(user))


def test_superusers_hold_every_permission_and_inactive_users_none():
    superuser = UserFactory(is_superuser=True)
    assert len(ModelBackendOneQuery().get_all_permissions(_fresh(superuser))) == (
        Permission.objects.count()
    )
    inactive = AgentFactory(role=Role.ADMIN).user
    inactive.is_active = False
    inactive.save()
    assert ModelBackendOneQuery().get_all_permissions(_fresh(inactive)) == set()
    assert not _fresh(inactive).has_perm("inbox.view_conversation")


def test_has_perm_reads_the_permissions_once_per_request_in_one_query():
    user = _fresh(AgentFactory(role=Role.MANAGER).user)
    with CaptureQueriesContext(connection) as captured:
        assert user.has_perm("inbox.view_metrics")
        assert user.has_perm("inbox.view_conversation")
        assert not user.has_perm("inbox.manage_channels")
    assert len(captured.captured_queries) == 1
