"""JSON parsing that rejects a property repeated within one object, and
JSON parsing that keeps numbers exact but rejects values outside RFC 8259.

xAPI 1.0.3 Data 2.2.s2.b2: a Statement uses each property at most once.
Common JSON parsers, orjson included, keep the last value of a repeated key
without telling, so a second, exact check runs when a cheap count cannot rule
duplicates out.
"""

import json
import math
from typing import Any

import orjson

from xapi.errors import ValidationError

# Whitespace directly before a colon; without it every key ends in '":'.
_SPACE_BEFORE_COLON = (b" :", b"\t:", b"\n:", b"\r:")


# The deepest nesting loads accepts, counted in values from the top value to
# the deepest one. orjson 3.13 parses 1024 levels but serializes only 254, and
# the LRS serializes every statement it stores, so deeper JSON is rejected when
# it arrives.
MAX_DEPTH = 128

# The integers orjson parses exactly, from -2**63 to 2**64 - 1. It turns a larger
# integer into the nearest float, which would store a different number than the
# client sent, so such an integer is rejected instead.
# NOTE: a decimal fraction with more digits than a double can represent is rounded to the
# nearest double, as most JSON parsers do (RFC 8259 section 6).
INTEGER_RANGE = range(-(2**63), 2**64)
# Any float at least this large may come from an integer outside INTEGER_RANGE.
_LARGE_FLOAT = 2.0**63


def loads(data: bytes) -> Any:
    """Parse JSON text strictly (RFC 8259, UTF-8) and reject duplicate keys.

    Raises ValueError for text that is not valid JSON or nests deeper than
    MAX_DEPTH, and ValidationError naming the key when an object repeats a
    key or naming the number when an integer is outside INTEGER_RANGE.
    """
    value = orjson.loads(data)
    key_count, depth, has_large_float = _measure(value)
    if depth > MAX_DEPTH:
        raise ValueError(f"JSON nests {depth} levels deep; at most {MAX_DEPTH} are accepted")

    if has_large_float:
        json.loads(data, parse_int=_integer_in_range)
    if _may_repeat_a_key(data, key_count):
        json.loads(data, object_pairs_hook=_reject_repeated_keys)
    return value


def loads_exact(data: bytes | str, reject_repeated_keys: bool = False) -> Any:
    """Parse JSON text with the standard library, which keeps integers of any size exact.

    Raises ValueError for text that is not valid JSON, for the NaN and
    Infinity literals, for a number too large for a float (such as 1e999)
    and for nesting deeper than the interpreter's recursion limit allows.
    With ``reject_repeated_keys``, raises ValidationError naming a key that
    an object repeats; otherwise the last value of such a key wins.
    """
    hook = _reject_repeated_keys if reject_repeated_keys else None
    try:
        return json.loads(data, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=hook)
    except RecursionError:
        raise ValueError("JSON nests too deeply") from None


def _reject_constant(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text} is too large for a double-precision float")
    return number


def _may_repeat_a_key(data: bytes, key_count: int) -> bool:
    """Return False only when no object in ``data`` can repeat a key.

    Outside strings, '":' only occurs where a key ends; inside a string it
    needs an escaped quote. So when no key has whitespace before its colon,
    the count of '":' equals the number of parsed keys exactly when no key
    was dropped and no string holds '\\":'.
    """
    if any(pattern in data for pattern in _SPACE_BEFORE_COLON):
        return True
    return data.count(b'":') != key_count


def _measure(value: Any) -> tuple[int, int, bool]:
    """Return the number of object keys in a parsed value, its depth (1 for a scalar, 2 for [1] or {"a": 1})
    and whether it contains a float of magnitude _LARGE_FLOAT or more."""
    key_count = 0
    depth = 0
    has_large_float = False
    # Level by level, so no node carries its own depth.
    level = [value]
    while level:
        depth += 1
        below: list = []
        for item in level:
            if type(item) is dict:
                key_count += len(item)
                below.extend(item.values())
            elif type(item) is list:
                below.extend(item)
            elif type(item) is float and abs(item) >= _LARGE_FLOAT:
                has_large_float = True
        level = below
    return key_count, depth, has_large_float


def _integer_in_range(text: str) -> int:
    number = int(text)
    if number not in INTEGER_RANGE:
        raise ValidationError(
            f"integer {text} is outside the range this LRS stores exactly ({INTEGER_RANGE.start} to "
            f"{INTEGER_RANGE.stop - 1}); send it as a string"
        )
    return number


def _reject_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result

    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ValidationError(
                f"property {key!r} appears more than once in one JSON object; send each property once"
            )
        seen.add(key)
    return result
