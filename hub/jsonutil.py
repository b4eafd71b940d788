"""Fast JSON encoding and decoding with orjson, and JSON responses built from it."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, headers=headers, mimetype="application/json")
