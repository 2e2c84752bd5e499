"""Django's model backend, reading a user's permissions in one plain SQL query.

``has_perm`` runs on every API request (the role checks in ``inbox.permissions.access``). The
stock backend asks for the user's own permissions and for their groups' in two ORM queries;
building those cost more CPU than the rest of a list request's authorisation
(bench/conversations_list.py). The answer, and its cache on the user object for the rest of the
request, are the same. A signed-in user is read with their agent profile in one query: every
page and API route asks for it (web/agent_profile.py).
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@cache  # the models' table names are fixed once the app registry is ready
def _sql() -> str:
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    own = User.user_permissions.through._meta.db_table
    membership = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return f"""
        SELECT ct.app_label, p.codename FROM {permission} p
        JOIN {content_type} ct ON ct.id = p.content_type_id
        WHERE %(superuser)s OR p.id IN (
            SELECT permission_id FROM {own} WHERE user_id = %(user)s
            UNION
            SELECT gp.permission_id FROM {group_permissions} gp
            JOIN {membership} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %(user)s)
    """  # noqa: S608 -- table names from the models, values as parameters


class ModelBackendOneQuery(ModelBackend):
    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("agent").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(
        self, user_obj: AbstractBaseUser | AnonymousUser, obj: object = None
    ) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_sql(), {"user": user_obj.pk, "superuser": user_obj.is_superuser})
                user_obj._perm_cache = {f"{label}.{codename}" for label, codename in cursor}
        return user_obj._perm_cache
