"""The SCIM filter and PATCH path parser, without a server: grammar, precedence and errors."""

from __future__ import annotations

import pytest

from hub.scim.filters import (
    MAX_DEPTH,
    And,
    AttrPath,
    Compare,
    FilterSyntaxError,
    Not,
    Or,
    Present,
    ValuePath,
    parse_filter,
    parse_path,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def eq(name: str, value, sub: str | None = None) -> Compare:
    return Compare(AttrPath(name, sub), "eq", value)


def test_and_binds_tighter_than_or():
    parsed = parse_filter('a eq 1 or b eq 2 and c eq 3')

    assert parsed == Or(eq("a", 1), And(eq("b", 2), eq("c", 3)))


def test_and_binds_tighter_on_the_left_too():
    parsed = parse_filter('a eq 1 and b eq 2 or c eq 3')

    assert parsed == Or(And(eq("a", 1), eq("b", 2)), eq("c", 3))


def test_parentheses_group_or_first():
    parsed = parse_filter('(a eq 1 or b eq 2) and c eq 3')

    assert parsed == And(Or(eq("a", 1), eq("b", 2)), eq("c", 3))


def test_not_binds_tighter_than_and():
    parsed = parse_filter('not (a pr) and b pr')

    assert parsed == And(Not(Present(AttrPath("a"))), Present(AttrPath("b")))


def test_three_terms_of_one_operator_chain_left():
    parsed = parse_filter('a eq "x" or a eq "y" or a eq "z"')

    assert parsed == Or(Or(eq("a", "x"), eq("a", "y")), eq("a", "z"))


def test_keywords_ignore_case():
    parsed = parse_filter('userName EQ "ana" AND active Eq TRUE oR title Pr')

    assert parsed == Or(And(eq("userName", "ana"), eq("active", True)), Present(AttrPath("title")))


@pytest.mark.parametrize("text, value", [
    ('n eq "say \\"hi\\""', 'say "hi"'),
    ('n eq "caf\\u00e9"', "café"),
    ('n eq ""', ""),
    ("n eq 12", 12),
    ("n eq -3.5", -3.5),
    ("n eq 1e3", 1000.0),
    ("n eq null", None),
    ("n eq false", False),
])
def test_values_are_json_literals(text, value):
    parsed = parse_filter(text)

    assert parsed == eq("n", value)
    assert type(parsed.value) is type(value)


def test_attribute_named_like_a_literal():
    parsed = parse_filter('trueName eq "x"')

    assert parsed == eq("trueName", "x")


def test_sub_attribute_and_schema_urn():
    parsed = parse_filter(f'name.familyName sw "Last" and {ENTERPRISE}:manager.value eq "26118915"')

    assert parsed == And(Compare(AttrPath("name", "familyName"), "sw", "Last"),
                         Compare(AttrPath("manager", "value", ENTERPRISE), "eq", "26118915"))


def test_value_path_filters_one_value():
    parsed = parse_filter('emails[type eq "work" and value co "@example.com"] or userType eq "Employee"')

    assert parsed == Or(
        ValuePath(AttrPath("emails"), And(eq("type", "work"), Compare(AttrPath("value"), "co", "@example.com"))),
        eq("userType", "Employee"),
    )


def test_operators_of_rfc_7644():
    for op in ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"):
        assert parse_filter(f'meta.lastModified {op} "2011-05-13T04:42:34Z"').op == op


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   ", "empty"),
    ('userName eq', "expected a value"),
    ('userName regex "x"', "unknown operator 'regex'"),
    ('userName eq "x" and', "expected an attribute name"),
    ('(userName eq "x"', "expected ')'"),
    ('userName eq "x")', "unexpected ')'"),
    ('userName eq x', "expected a JSON value"),
    ('userName eq "unterminated', "unexpected character"),
    ('emails[type eq "work"', "expected ']'"),
    ('not userName eq "x"', "expected '('"),
    ('userName eq "x" userName eq "y"', "unexpected 'userName'"),
    ('userName eq "bad \\q escape"', "invalid string escape"),
    ('userName & "x"', "unexpected character '&'"),
])
def test_invalid_filter_names_the_problem(text, fragment):
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(text)

    assert fragment in str(raised.value)


def test_deep_nesting_is_rejected():
    text = "(" * (MAX_DEPTH + 1) + 'a eq 1' + ")" * (MAX_DEPTH + 1)

    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(text)

    assert "deeper" in str(raised.value)


def test_path_with_value_filter_and_sub_attribute():
    path = parse_path('emails[type eq "work"].value')

    assert path.attribute == AttrPath("emails")
    assert path.value_filter == eq("type", "work")
    assert path.sub == "value"


def test_path_of_member_with_missing_space():
    path = parse_path('members[value eq"2819c223"]')

    assert path.value_filter == eq("value", "2819c223")
    assert path.sub is None


def test_path_with_extension_urn():
    path = parse_path(f"{ENTERPRISE}:manager.value")

    assert path.attribute == AttrPath("manager", "value", ENTERPRISE)


def test_path_rejects_filter_after_sub_attribute():
    with pytest.raises(FilterSyntaxError):
        parse_path('name.givenName[value eq "x"]')
