"""What the compatibility engine's tests share: schemas written the short way."""

from __future__ import annotations

from typing import Any

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"

_ABSENT = object()


def obj(
    properties: dict[str, Any], required: list[str] | None = None, additional: Any = _ABSENT
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required is not None:
        schema["required"] = required
    if additional is not _ABSENT:
        schema["additionalProperties"] = additional
    return schema


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
N = {"type": "number"}
STR_OR_NULL = {"type": ["string", "null"]}
