"""The simulated X's media-upload answers (simple and chunked, processing status) and the
posts that carry media validate against X's own OpenAPI description.

One kind of requirement is left out: X's file marks properties required that it never defines
(``meta`` on ``MediaUploadResponse`` and ``MediaUploadAppendResponse``, ``type`` on
``ProcessingInfo``), and X's answers carry none of them; the simulator sends what X sends."""

from __future__ import annotations

import copy
import io
from typing import Any

import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from PIL import Image

from tests.connectors.test_twitter_simulator_schema import (  # noqa: F401 - the fixture
    AUTH,
    _openapi_present,
    assert_matches_openapi,
    openapi,
)
from tests.connectors.twitter_support import CUSTOMER, ME, XSim

UPLOAD_SCHEMAS = ("MediaUploadResponse", "MediaUploadAppendResponse", "ProcessingInfo")


def assert_upload_matches(template: str, method: str, response: requests.Response) -> None:
    assert response.status_code == 200, response.text
    spec = openapi()
    documented = spec["paths"][template][method.lower()]["responses"]["200"]
    components = copy.deepcopy(spec["components"])
    for name in UPLOAD_SCHEMAS:  # only the required properties the schema does not define
        schema = components["schemas"][name]
        schema["required"] = [p for p in schema["required"] if p in schema["properties"]]
    schema = {**documented["content"]["application/json"]["schema"], "components": components}
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def post(sim: XSim, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(sim.base_url + path, headers=AUTH, timeout=5, **kwargs)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG")
    return out.getvalue()


def test_a_photo_upload_and_the_post_that_carries_it_match(x_sim: XSim) -> None:
    data = {"media_category": "tweet_image", "media_type": "image/jpeg"}
    response = post(x_sim, "/2/media/upload", data=data, files={"media": ("a.jpg", _jpeg())})
    assert_upload_matches("/2/media/upload", "POST", response)
    media_id = response.json()["data"]["id"]
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "Hej")
    created = post(x_sim, "/2/tweets", json={
        "text": "Svar", "reply": {"in_reply_to_tweet_id": tweet["id"]},
        "media": {"media_ids": [media_id]}})  # fmt: skip
    assert created.status_code == 201
    assert_matches_openapi("/2/tweets", "POST", created)


def test_a_chunked_video_upload_and_its_processing_status_match(x_sim: XSim) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1000
    x_sim.app.add_dm(ME, CUSTOMER, "Hej")  # the customer has written: a DM may go back
    spec = {"media_type": "video/mp4", "total_bytes": len(video), "media_category": "dm_video"}
    init = post(x_sim, "/2/media/upload/initialize", json=spec)
    assert_upload_matches("/2/media/upload/initialize", "POST", init)
    media_id = init.json()["data"]["id"]
    append = post(x_sim, f"/2/media/upload/{media_id}/append", data={"segment_index": "0"},
                  files={"media": ("blob", video)})  # fmt: skip
    assert_upload_matches("/2/media/upload/{id}/append", "POST", append)
    final = post(x_sim, f"/2/media/upload/{media_id}/finalize")
    assert_upload_matches("/2/media/upload/{id}/finalize", "POST", final)
    assert final.json()["data"]["processing_info"]["state"] == "pending"
    states = []
    for _ in range(2):
        status = requests.get(x_sim.base_url + "/2/media/upload", headers=AUTH, timeout=5,
                              params={"command": "STATUS", "media_id": media_id})  # fmt: skip
        assert_upload_matches("/2/media/upload", "GET", status)
        states.append(status.json()["data"]["processing_info"]["state"])
    assert states == ["in_progress", "succeeded"]
    dm = post(x_sim, f"/2/dm_conversations/with/{CUSTOMER['id']}/messages",
              json={"attachments": [{"media_id": media_id}]})  # fmt: skip
    assert dm.status_code == 201, dm.text
    assert_matches_openapi("/2/dm_conversations/with/{participant_id}/messages", "POST", dm)


def test_an_unknown_media_id_is_refused_as_x_refuses_it(x_sim: XSim) -> None:
    response = post(x_sim, "/2/tweets", json={"text": "Svar", "media": {"media_ids": ["42"]}})
    assert response.status_code == 400
    assert_matches_openapi("/2/tweets", "POST", response)
