"""Django's model backend, reading a user's permissions in one query instead of two.

``has_perm`` runs on every API request (the role checks in ``inbox.access``); the stock backend
asks for the user's own permissions and for their groups' in two round trips. The answer, and
its cache on the user object for the rest of the request, are the same.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission

_NAME = ("content_type__app_label", "codename")


class ModelBackendOneQuery(ModelBackend):
    def get_all_permissions(
        self, user_obj: AbstractBaseUser | AnonymousUser, obj: object = None
    ) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*_NAME)
            else:
                own = Permission.objects.filter(user=user_obj).values_list(*_NAME)
                rows = own.union(
                    Permission.objects.filter(group__user=user_obj).values_list(*_NAME)
                )
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
