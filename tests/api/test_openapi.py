"""The published OpenAPI schema describes what the API really returns."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource

from inbox.models import Conversation
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _validate(schema: dict, component: str, instance: object) -> None:
    registry = Registry().with_resource("urn:svar", Resource.opaque(schema))
    validator = OAS31Validator(
        {"$ref": f"urn:svar#/components/schemas/{component}"}, registry=registry
    )
    validator.validate(instance)


def test_list_detail_and_reply_responses_match_the_schema(api, x_account, schema):
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t")])
    conversation = Conversation.objects.get()
    api.post(f"/api/conversations/{conversation.pk}/notes", {"body": "note"}, format="json")
    reply = api.post(
        f"/api/conversations/{conversation.pk}/reply", {"body": "Hej"}, format="json"
    ).json()

    _validate(schema, "ConversationPageResponse", api.get("/api/conversations").json())
    _validate(
        schema,
        "ConversationDetailResponse",
        api.get(f"/api/conversations/{conversation.pk}").json(),
    )
    _validate(schema, "ReplyResponse", reply)
    _validate(schema, "MeResponse", api.get("/api/me").json())
    error = api.post(f"/api/conversations/{conversation.pk}/reply", {"body": ""}, format="json")
    _validate(schema, "ErrorResponse", error.json())


def test_the_docs_page_is_served_without_a_cdn(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html
    assert "unpkg" not in html
