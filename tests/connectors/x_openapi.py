"""Where X's OpenAPI description is read from: SVAR_X_OPENAPI when set, otherwise
shared/reference/ beside the clone (CI copies shared/ next to the repository it clones).
Without the file the schema specs skip locally and fail under CI."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from tests.ci_rules import unavailable

ROOT = Path(__file__).resolve().parents[2]
BESIDE_THE_CLONE = ROOT.parent / "shared" / "reference" / "x-api-v2-openapi.json"


def location() -> Path:
    return Path(os.environ.get("SVAR_X_OPENAPI") or BESIDE_THE_CLONE)


def require() -> Path:
    """The file's path; skips (fails under CI) when there is no file there."""
    path = location()
    if not path.is_file():
        unavailable(f"X's OpenAPI description is not at {path} (set SVAR_X_OPENAPI)")
    return path


@cache
def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
