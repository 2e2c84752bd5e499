"""X's OpenAPI description is found beside the clone, wherever the clone is, or where
SVAR_X_OPENAPI says; without it the schema specs skip locally and fail under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connectors import x_openapi

CLONE = Path(__file__).resolve().parents[2]


def test_by_default_it_is_read_from_shared_beside_the_clone(monkeypatch):
    monkeypatch.delenv("SVAR_X_OPENAPI", raising=False)

    assert x_openapi.location() == CLONE.parent / "shared/reference/x-api-v2-openapi.json"


def test_the_environment_can_point_elsewhere(monkeypatch, tmp_path):
    elsewhere = tmp_path / "x.json"
    elsewhere.write_text('{"openapi": "3.0.0"}')
    monkeypatch.setenv("SVAR_X_OPENAPI", str(elsewhere))

    assert x_openapi.require() == elsewhere
    assert x_openapi.load(x_openapi.location()) == {"openapi": "3.0.0"}


def test_a_missing_file_skips_locally_with_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("SVAR_X_OPENAPI", str(tmp_path / "missing.json"))
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="missing.json"):
        x_openapi.require()


def test_a_missing_file_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("SVAR_X_OPENAPI", str(tmp_path / "missing.json"))
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="missing.json"):
        x_openapi.require()
