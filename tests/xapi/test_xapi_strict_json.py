"""Strict JSON parsing: valid JSON as orjson reads it, and a repeated key in one object rejected."""

import pytest

from xapi import strict_json
from xapi.errors import ValidationError


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1, "a": 2}',
        b'{"a":1,"a":2}',
        b'{"a" : 1, "b" : {"c": 1, "c": 1}}',
        b'[{"x": 1}, {"y": {"z": [1, {"k": 1, "k": 2}]}}]',
        b'{"s": "quote \\": inside", "a": 1, "a": 1}',
    ],
)
def test_repeated_key_is_rejected(text):
    with pytest.raises(ValidationError) as raised:
        strict_json.loads(text)

    assert "more than once" in raised.value.message


@pytest.mark.parametrize(
    "text, expected",
    [
        (b'{"a": 1, "b": {"a": 2}}', {"a": 1, "b": {"a": 2}}),
        (b'{"a" : 1, "b" :2}', {"a": 1, "b": 2}),
        (b'{"text": "ends with \\":", "n": 1}', {"text": 'ends with ":', "n": 1}),
        (b'[{"a": 1}, {"a": 2}]', [{"a": 1}, {"a": 2}]),
        (b'{}', {}),
    ],
)
def test_same_key_in_different_objects_is_accepted(text, expected):
    assert strict_json.loads(text) == expected


@pytest.mark.parametrize("text", [b'{"a": NaN}', b'{"a": 1,}', b'{"a": "\\ud800"}', b"\xff"])
def test_invalid_json_raises_value_error(text):
    with pytest.raises(ValueError):
        strict_json.loads(text)


@pytest.mark.parametrize("text", [b'{"n": 18446744073709551616}', b'[1, {"n": -9223372036854775809}]',
                                  b'{"n": 123456789012345678901234567890}'])
def test_integer_outside_exact_range_is_rejected(text):
    with pytest.raises(ValidationError) as raised:
        strict_json.loads(text)

    assert "send it as a string" in raised.value.message


@pytest.mark.parametrize("text, expected", [
    (b'{"n": 18446744073709551615}', {"n": 2**64 - 1}),
    (b'{"n": -9223372036854775808}', {"n": -(2**63)}),
    (b'{"n": 1e19}', {"n": 1e19}),
    (b'{"n": 1.5e300}', {"n": 1.5e300}),
])
def test_large_numbers_in_range_are_kept(text, expected):
    value = strict_json.loads(text)

    assert value == expected
    assert type(value["n"]) is type(expected["n"])
