"""JSON parsing that rejects a property repeated within one object.

xAPI 1.0.3 Data 2.2.s2.b2: a Statement uses each property at most once.
Common JSON parsers, orjson included, keep the last value of a repeated key
without telling, so a second, exact check runs when a cheap count cannot rule
duplicates out.
"""

import json
from typing import Any

import orjson

from xapi.errors import ValidationError

# Whitespace directly before a colon; without it every key ends in '":'.
_SPACE_BEFORE_COLON = (b" :", b"\t:", b"\n:", b"\r:")


def loads(data: bytes) -> Any:
    """Parse JSON text strictly (RFC 8259, UTF-8) and reject duplicate keys.

    Raises ValueError for text that is not valid JSON and ValidationError
    naming the key when an object repeats a key.
    """
    value = orjson.loads(data)
    if _may_repeat_a_key(data, value):
        json.loads(data, object_pairs_hook=_reject_repeated_keys)
    return value


def _may_repeat_a_key(data: bytes, value: Any) -> bool:
    """Return False only when no object in ``data`` can repeat a key.

    Outside strings, '":' only occurs where a key ends; inside a string it
    needs an escaped quote. So when no key has whitespace before its colon,
    the count of '":' equals the number of parsed keys exactly when no key
    was dropped and no string holds '\\":'.
    """
    if any(pattern in data for pattern in _SPACE_BEFORE_COLON):
        return True
    return data.count(b'":') != _count_keys(value)


def _count_keys(value: Any) -> int:
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            count += len(item)
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return count


def _reject_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result

    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ValidationError(
                f"property {key!r} appears more than once in one JSON object; "
                "send each property once (xAPI Data 2.2)"
            )
        seen.add(key)
    return result
