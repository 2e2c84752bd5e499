"""Property-based API testing: Schemathesis reads the published OpenAPI schema
(``/api/schema/``) from a real uvicorn server on the test database, generates requests from it,
valid and invalid, and sends them as an agent, a manager and an admin. Every answer must pass
every check: no server error, a documented status code, content type and headers, a body
matching the documented schema, invalid data refused and valid data accepted; the stateful
phase chains operations through the links between them.

The path ids are real (a conversation of the user's team, a failed reply to retry, the team,
its channel account), so generated bodies reach the services instead of stopping at 404. The
run uses Schemathesis' command line: its pytest loader for fixtures does not run under pytest
9.2, and the command line runs every phase and check.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbox.composer.visible import is_visible
from inbox.exceptions import InvalidInput
from inbox.metrics.services import TARGET_MAX_SECONDS
from inbox.models import Agent, ChannelAccount, Conversation, Message
from inbox.models.messages import DeliveryState
from inbox.params import text_param
from inbox.permissions.roles import Role
from inbox.services import messages_ingest, reply_create
from inbox.services.conversations import TAG_MAX_LENGTH
from inbox.services.notes import NOTE_MAX_LENGTH
from tests.conftest import api_client_for
from tests.factories import AgentFactory, inbound
from tests.web.conftest import channel_prefix  # noqa: F401 (fixture)
from tests.web.servers import AsgiServer
from web.api.fields import INVISIBLE, query_text_pattern

# Random cases per operation and phase, positive and negative, besides the coverage phase's
# boundaries: the three roles take two to three minutes on two cores.
MAX_EXAMPLES = int(os.environ.get("SVAR_PROPERTY_EXAMPLES", "20"))
# A fixed seed keeps CI reproducible; set SVAR_PROPERTY_SEED to explore other inputs.
SEED = int(os.environ.get("SVAR_PROPERTY_SEED", "21"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _seed(author: Agent, x_account: ChannelAccount) -> dict[str, int]:
    """A conversation of the team with a failed reply; the ids the operations' paths take."""
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    conversation = Conversation.objects.get(account=x_account)
    reply = reply_create(user=author.user, conversation_id=conversation.pk, body="Hej")
    Message.objects.filter(pk=reply.pk).update(
        delivery_state=DeliveryState.FAILED, delivery_error="The platform refused it."
    )
    return {
        "conversation_id": conversation.pk,
        "message_id": reply.pk,
        "team_id": x_account.team_id,
        "account_id": x_account.pk,
        "agent_id": author.pk,
    }


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AsgiServer]:
    # Svar's OAuth apps (issue #22): starting a connection answers the platform's consent URL
    # (built locally; the platform is asked nothing until its callback).
    for name in ("SVAR_X_CLIENT_ID", "SVAR_X_CLIENT_SECRET", "SVAR_FACEBOOK_APP_ID",
                 "SVAR_FACEBOOK_APP_SECRET"):  # fmt: skip
        monkeypatch.setenv(name, "svar-property-test")
    running = AsgiServer().start()
    yield running
    running.stop()


FIGURES = "^/api/metrics/(summary|breakdown|series|distribution|heatmap|sla|intervals)$"
# Each role where it differs: an agent everything but the managers' figures and audit log (a
# 403 answered the same way for each), a manager the metrics and the audit log, an admin all
# but the figures (every team's conversations and audit log, reconnecting accounts).
OPERATIONS = {
    Role.AGENT: ("--exclude-path-regex", "^/api/(audit|metrics/(?!sla/at-risk))"),
    Role.MANAGER: ("--include-path-regex", "^/api/(audit|metrics/)"),
    Role.ADMIN: ("--exclude-path-regex", FIGURES),
}

# Schema-valid requests these operations may refuse with 400, by rules OpenAPI cannot state:
# a rule between two parameters or on an opaque value. Only the positive-data check is widened,
# and only for them; every other check holds as it is.
ACCEPTED_400 = '["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]'
RULES_OPENAPI_CANNOT_STATE = {
    # A period spans at most 400 days and from is not after to; tz names an IANA zone.
    FIGURES: "GET",
    # Each interval opens before it closes, and a day's intervals do not overlap.
    r"^/api/metrics/teams/\{team_id\}/schedule$": "PUT",
    # A cursor is an opaque next_cursor from the page before.
    "^/api/conversations$": "GET",
    # A reply fits the platform's length limit, as the platform counts it (X: weighted).
    r"^/api/conversations/\{conversation_id\}/reply$": "POST",
    # A conversation carries at most 20 tags in all.
    r"^/api/conversations/\{conversation_id\}/tags$": "POST",
    # A team's name is unique and not blank; a person's teams exist, their names are not blank,
    # Svar keeps an active admin; an invited address has no account or pending invitation yet.
    "^/api/teams$": "POST",
    r"^/api/teams/\{team_id\}$": "PATCH",
    r"^/api/people/\{agent_id\}$": "PATCH",
    "^/api/people/invitations$": "POST",
    # Guidelines (issue #16): a rule's fields depend on its kind and a pattern must compile;
    # a handover note, an approved or revised reply must pass the team's rules and fit.
    r"^/api/teams/\{team_id\}/rules$": "POST",
    r"^/api/rules/\{rule_id\}$": "PATCH",
    r"^/api/conversations/\{conversation_id\}/handover$": "POST",
    r"^/api/messages/\{message_id\}/(approve|revise)$": "POST",
}


# Operations whose "negative" requests schemathesis's stateful phase cannot make: it mutates a
# path id to a wrong type, then fills the same id from the link it inferred (the attachment's
# upload answers its conversation and id), so the request it sends is valid, and a 204 is
# right. Only this check, only for them; their refusals of wrong ids are tested in
# tests/api/test_reply_attachments_composer.py and the isolation walk.
NEGATIVE_FILLED_BY_LINKS = {
    r"^/api/conversations/\{conversation_id\}/attachments/\{attachment_id\}$": "DELETE",
}


def _config(tmp_path: Path, ids: dict[str, int]) -> Path:
    """schemathesis.toml: the real path ids (TOML's integers are JSON's), and the operations
    whose valid-looking requests may be refused."""
    lines = ["[parameters]", *(f"{name} = {json.dumps(value)}" for name, value in ids.items())]
    for path, method in RULES_OPENAPI_CANNOT_STATE.items():
        lines += [
            "[[operations]]",
            f"include-path-regex = {json.dumps(path)}",
            f"include-method = {json.dumps(method)}",
            f"checks.positive_data_acceptance.expected-statuses = {ACCEPTED_400}",
        ]
    for path, method in NEGATIVE_FILLED_BY_LINKS.items():
        lines += [
            "[[operations]]",
            f"include-path-regex = {json.dumps(path)}",
            f"include-method = {json.dumps(method)}",
            'checks.negative_data_rejection.expected-statuses = ["2xx", "4xx"]',
        ]
    config = tmp_path / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("channel_prefix", "clean_queues")
@pytest.mark.parametrize(("role", "operations"), list(OPERATIONS.items()))
def test_every_answer_of_the_api_conforms_to_its_schema(
    role: Role,
    operations: tuple[str, str],
    x_account: ChannelAccount,
    colleague: Agent,
    server: AsgiServer,
    tmp_path: Path,
) -> None:
    teams = [] if role is Role.ADMIN else [x_account.team]  # an admin sees every team
    user = AgentFactory(public_name=f"Property {role.value}", teams=teams, role=role)
    ids = _seed(colleague if role is Role.ADMIN else user, x_account)
    token = Token.objects.create(user=user.user)

    # One worker: two threads once broke Hypothesis's ast.parse of a filter's source on Python
    # 3.11 ("AST constructor recursion depth mismatch"), failing a run for nothing.
    command = [
        str(SCHEMATHESIS), "--config-file", str(_config(tmp_path, ids)), "--no-color", "run",
        f"{server.origin}/api/schema/", "--header", f"Authorization: Token {token.key}",
        "--checks", "all", "--mode", "all", "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED), "--generation-database", "none", "--workers", "1",
        "--request-timeout", "30", "--output-sanitize", "true", *operations,
    ]  # fmt: skip
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path
    )

    assert run.returncode == 0, run.stdout + run.stderr


# --- what the property-based run found, each pinned down -----------------------------------


@pytest.fixture
def schema(api: APIClient) -> dict[str, Any]:
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operation(schema: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return schema["paths"][path][method]


def _parameter(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    return next(p for p in _operation(schema, path)["parameters"] if p["name"] == name)


def _body(schema: dict[str, Any], component: str) -> dict[str, Any]:
    return schema["components"]["schemas"][component]["properties"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("reply/preview", {"body": 2765}),
        ("notes", {"body": 0}),
        ("reply", {"body": 42}),
        ("tags", {"add": [], "remove": [0]}),
        ("assign", {"assignee_id": "5"}),
        ("claim", {"version": "1"}),
    ],
)
def test_a_number_or_boolean_where_the_schema_says_string_is_refused(
    api: APIClient, conversation: Conversation, path: str, payload: dict[str, Any]
) -> None:
    response = api.post(f"/api/conversations/{conversation.pk}/{path}", payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_an_sla_target_takes_true_or_false_not_zero(team: Any) -> None:
    manager = AgentFactory(teams=[team], role=Role.MANAGER)
    body = {"kind": "first_response", "target_seconds": 60, "business_hours": 0}
    response = api_client_for(manager).put(f"/api/metrics/teams/{team.pk}/sla", body, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("component", "field"),
    [("NoteRequestRequest", "body")],
)
@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200b", "\n\u202e"])
def test_the_schema_refuses_the_blank_text_the_services_refuse(
    schema: dict[str, Any], component: str, field: str, blank: str
) -> None:
    text = _body(schema, component)[field]
    assert text["minLength"] == 1
    assert not re.search(text["pattern"], blank)
    assert re.search(text["pattern"], "Hej")


@pytest.mark.django_db
def test_a_replys_text_may_be_blank_in_the_schema_as_files_alone_are_a_reply(
    schema: dict[str, Any],
) -> None:
    """A reply that names files may have no text (docs/media.md "Media out"); the service
    refuses one with neither (reply_empty), which the schema cannot say."""
    text = _body(schema, "ReplyRequestRequest")["body"]
    assert text["type"] == "string"
    assert "minLength" not in text
    assert "pattern" not in text


@pytest.mark.django_db
def test_tags_in_the_schema_need_a_visible_character_and_fit_the_tag_length(
    schema: dict[str, Any],
) -> None:
    item = _body(schema, "TagsRequestRequest")["add"]["items"]
    assert item["maxLength"] == TAG_MAX_LENGTH
    assert not re.search(item["pattern"], "\u2060")
    assert _body(schema, "NoteRequestRequest")["body"]["maxLength"] == NOTE_MAX_LENGTH


def test_the_visible_text_pattern_never_refuses_a_visible_character() -> None:
    """The services decide by Unicode category (inbox/composer/visible.py); the schema's
    pattern may only call invisible what the services call invisible."""
    invisible = re.compile(f"[{INVISIBLE}]")
    wrongly = [hex(c) for c in range(0x110000) if invisible.match(chr(c)) and is_visible(chr(c))]
    assert wrongly == []


def test_the_query_text_pattern_accepts_exactly_what_the_parser_accepts() -> None:
    pattern = re.compile(query_text_pattern(5))
    for code in range(0x100):
        char = chr(code)
        for value in (char, f"a{char}", f"{char}a", f"a{char}b", f"abcd{char}", f"{char}abcd"):
            try:
                text_param({"t": value}, "t", max_length=5)
                accepted = True
            except InvalidInput:
                accepted = False
            assert bool(pattern.search(value)) == accepted, repr(value)


@pytest.mark.django_db
def test_every_operation_with_input_documents_its_400(schema: dict[str, Any]) -> None:
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if (
            "requestBody" in operation
            or any(p["in"] == "query" for p in operation.get("parameters", ()))
        )
        and "400" not in operation["responses"]
    ]
    assert undocumented == []


@pytest.mark.django_db
def test_an_empty_filter_means_no_filter_and_the_schema_says_so(
    api: APIClient, conversation: Conversation, schema: dict[str, Any]
) -> None:
    response = api.get("/api/conversations?platform=&cursor=&status=&assignee=")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [conversation.pk]
    for name in ("platform", "cursor", "status", "assignee"):
        assert _parameter(schema, "/api/conversations", name)["allowEmptyValue"] is True


@pytest.mark.django_db
def test_the_list_documents_statuses_as_a_comma_separated_list(schema: dict[str, Any]) -> None:
    status = _parameter(schema, "/api/conversations", "status")
    assert status["schema"]["items"]["enum"] == ["open", "pending", "resolved", "snoozed"]
    assert status["explode"] is False


@pytest.mark.django_db
def test_metric_ids_are_positive_and_the_drill_down_is_documented(schema: dict[str, Any]) -> None:
    for name in ("team", "agent", "account"):
        assert _parameter(schema, "/api/metrics/summary", name)["schema"]["minimum"] == 1
    names = {p["name"] for p in _operation(schema, "/api/metrics/intervals")["parameters"]}
    drill = {"key", "min_seconds", "max_seconds", "weekday", "hour", "breached", "limit", "offset"}
    assert drill <= names


@pytest.mark.django_db
def test_a_schedule_is_documented_as_weekdays_of_hh_mm_intervals(schema: dict[str, Any]) -> None:
    weekly = schema["components"]["schemas"]["WeeklyShapeRequest"]["properties"]
    assert sorted(weekly) == [str(d) for d in range(1, 8)]
    interval = weekly["1"]["items"]
    assert interval["minItems"] == interval["maxItems"] == 2
    assert re.search(interval["items"]["pattern"], "24:00")
    assert not re.search(interval["items"]["pattern"], "9:00")
    target = _body(schema, "SlaTargetShapeRequest")["target_seconds"]
    assert target["maximum"] == TARGET_MAX_SECONDS
