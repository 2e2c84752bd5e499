"""People and invitations: listed for managers and admins, changed by admins only.

Invitation links sent from the API are built on SVAR_PUBLIC_URL, not on the Host the API
client happened to call (a script may call an internal address the invitee cannot reach)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from inbox.models import Invitation
from inbox.permissions.people import actor_managing_people, require_view_people
from inbox.permissions.roles import Role
from inbox.selectors.people import (
    invitation_is_expired,
    invitation_pending_list,
    people_list,
    person_detail,
)
from inbox.services import invitations, people
from web.api import serializers as s
from web.api.fields import TextField, WholeNumberField

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse}
MAIL_ERRORS = {**ERRORS, 503: s.ErrorResponse}  # the mail server did not take the invitation
ROLES = [role.value for role in Role]
LANGUAGES = ["", *(code for code, _ in settings.LANGUAGES)]


class PersonOut(serializers.Serializer):
    agent_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    public_name = serializers.CharField()
    initials = serializers.CharField()
    language = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    is_superuser = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES))
    team_ids = serializers.ListField(child=serializers.IntegerField())
    team_names = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(help_text="Send it back to refuse a stale edit (409).")


class PersonRequest(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=ROLES), required=False, min_length=1, max_length=3
    )
    team_ids = serializers.ListField(child=WholeNumberField(), required=False, max_length=1000)
    public_name = TextField(required=False, max_length=200)
    initials = TextField(required=False, max_length=20)
    version = WholeNumberField(
        required=False, min_value=0, help_text="The version you saw; a newer one answers 409."
    )


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.CharField()
    public_name = serializers.CharField()
    initials = serializers.CharField()
    language = serializers.CharField(allow_blank=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES))
    team_ids = serializers.ListField(child=serializers.IntegerField())
    sent_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    expired = serializers.BooleanField()


class InvitationRequest(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    public_name = TextField(max_length=200)
    initials = TextField(max_length=20)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False, default="")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=ROLES), min_length=1, max_length=3, default=["agent"]
    )
    team_ids = serializers.ListField(child=WholeNumberField(), max_length=1000, default=list)


class AdminsChangeManagersRead(BasePermission):
    """Refuse before the body is read: a caller who may not change people learns that (403)
    rather than what their body lacked (400)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            require_view_people(request.user)
        else:
            actor_managing_people(request.user)
        return True


class PeopleApi(APIView):
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, AdminsChangeManagersRead]


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk, "email": invitation.email, "public_name": invitation.public_name,
        "initials": invitation.initials, "language": invitation.language,
        "roles": invitation.roles, "team_ids": sorted(t.pk for t in invitation.teams.all()),
        "sent_at": invitation.sent_at, "expires_at": invitation.expires_at,
        "expired": invitation_is_expired(invitation),
    }  # fmt: skip


def _body(serializer_class: type, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _person(request: Request, agent_id: int) -> Response:
    return Response(asdict(person_detail(user=request.user, agent_id=agent_id)))


class PeopleListApi(PeopleApi):
    @extend_schema(
        responses={200: PersonOut(many=True), **ERRORS},
        summary="Everyone with an agent profile, active or not (managers and admins)",
    )
    def get(self, request: Request) -> Response:
        return Response([asdict(row) for row in people_list(user=request.user)])


class PersonDetailApi(PeopleApi):
    @extend_schema(responses={200: PersonOut, **ERRORS}, summary="One person")
    def get(self, request: Request, agent_id: int) -> Response:
        return _person(request, agent_id)

    @extend_schema(
        request=PersonRequest,
        responses={200: PersonOut, **ERRORS},
        summary="Set a person's roles, teams, public name or initials (admins)",
    )
    def patch(self, request: Request, agent_id: int) -> Response:
        people.person_update(user=request.user, agent_id=agent_id, **_body(PersonRequest, request))
        return _person(request, agent_id)


class PersonDeactivateApi(PeopleApi):
    @extend_schema(
        request=None,
        responses={200: PersonOut, **ERRORS},
        summary="Deactivate: sessions, API tokens and WebSockets end now (admins)",
    )
    def post(self, request: Request, agent_id: int) -> Response:
        people.person_deactivate(user=request.user, agent_id=agent_id)
        return _person(request, agent_id)


class PersonReactivateApi(PeopleApi):
    @extend_schema(
        request=None, responses={200: PersonOut, **ERRORS}, summary="Reactivate (admins)"
    )
    def post(self, request: Request, agent_id: int) -> Response:
        people.person_reactivate(user=request.user, agent_id=agent_id)
        return _person(request, agent_id)


class InvitationListApi(PeopleApi):
    @extend_schema(
        responses={200: InvitationOut(many=True), **ERRORS},
        summary="Invitations not yet accepted or revoked (managers and admins)",
    )
    def get(self, request: Request) -> Response:
        pending = invitation_pending_list(user=request.user)
        return Response([invitation_out(i) for i in pending])

    @extend_schema(
        request=InvitationRequest,
        responses={201: InvitationOut, **MAIL_ERRORS},
        summary="Invite a person by e-mail: a single-use link valid for 7 days (admins)",
    )
    def post(self, request: Request) -> Response:
        invitation = invitations.invitation_create(
            user=request.user, **_body(InvitationRequest, request)
        )
        return Response(invitation_out(invitation), status=201)


class InvitationDetailApi(PeopleApi):
    @extend_schema(
        request=None, responses={204: None, **ERRORS}, summary="Revoke an invitation (admins)"
    )
    def delete(self, request: Request, invitation_id: int) -> Response:
        invitations.invitation_revoke(user=request.user, invitation_id=invitation_id)
        return Response(status=204)


class InvitationResendApi(PeopleApi):
    @extend_schema(
        request=None,
        responses={200: InvitationOut, **MAIL_ERRORS},
        summary="Send the invitation again with a new link; the old link stops working (admins)",
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = invitations.invitation_resend(user=request.user, invitation_id=invitation_id)
        return Response(invitation_out(invitation))
