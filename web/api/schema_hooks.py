"""Post-processing of the published OpenAPI schema (drf-spectacular's POSTPROCESSING_HOOKS)."""

from __future__ import annotations

from typing import Any


def empty_query_values_allowed(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every optional query parameter may be given empty (``?platform=``): it then means not
    given, as a form's "any" choice sends it (inbox/params.py). The schema says so with
    ``allowEmptyValue``, so a client may send it and a tester knows the answer is 200."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
