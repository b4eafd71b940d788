"""A recursive-descent parser for SCIM filters and PATCH paths (RFC 7644, sections 3.4.2.2 and 3.5.2).

Grammar, with "not" binding tighter than "and", and "and" tighter than "or":

    filter    = or_expr
    or_expr   = and_expr *("or" and_expr)
    and_expr  = unary *("and" unary)
    unary     = "not" "(" filter ")" / "(" filter ")" / attr_path "[" filter "]" / attr_expr
    attr_expr = attr_path "pr" / attr_path compare_op value
    path      = attr_path ["[" filter "]" ["." name]]

Operators, keywords and attribute names are case-insensitive; the parser keeps attribute names as written and
the schema resolves them. Values are JSON literals: strings with JSON escapes, numbers, true, false and null.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Union

COMPARE_OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")
# Deeper nesting is rejected, so a hostile filter cannot exhaust the Python stack.
MAX_DEPTH = 50
MAX_FILTER_LENGTH = 4096


class FilterSyntaxError(ValueError):
    """A filter or path that does not follow the grammar; the message names the position."""


@dataclass(frozen=True)
class AttrPath:
    """An attribute reference such as ``name.familyName`` or ``urn:...:enterprise:2.0:User:department``."""

    name: str
    sub: str | None = None
    urn: str | None = None

    def __str__(self) -> str:
        text = f"{self.urn}:{self.name}" if self.urn else self.name
        return f"{text}.{self.sub}" if self.sub else text


@dataclass(frozen=True)
class Compare:
    path: AttrPath
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class And:
    left: "Filter"
    right: "Filter"


@dataclass(frozen=True)
class Or:
    left: "Filter"
    right: "Filter"


@dataclass(frozen=True)
class Not:
    expr: "Filter"


@dataclass(frozen=True)
class ValuePath:
    """``emails[type eq "work"]``: the inner filter applies to each value of a multi-valued attribute."""

    path: AttrPath
    filter: "Filter"


Filter = Union[Compare, Present, And, Or, Not, ValuePath]


@dataclass(frozen=True)
class PatchPath:
    """A PATCH target: an attribute, an optional value filter, and an optional sub-attribute after the filter."""

    attribute: AttrPath
    value_filter: Filter | None = None
    sub: str | None = None


# ---------------------------------------------------------------------------------------------------------
# Tokens

_NAME = r"[A-Za-z$][\w$-]*"
_TOKEN_PATTERNS = [
    ("space", r"\s+"),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("lbracket", r"\["),
    ("rbracket", r"\]"),
    ("string", r'"(?:[^"\\]|\\.)*"'),
    ("number", r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])"),
    # A schema URN prefix ends at its last colon, so "urn:...:2.0:User:manager.value" keeps "manager.value".
    ("path", rf"(?:urn:[A-Za-z0-9.:_-]+:)?{_NAME}(?:\.{_NAME})?"),
    ("subattr", rf"\.{_NAME}"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _TOKEN_PATTERNS))


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int

    @property
    def word(self) -> str:
        """The lower-cased text, for matching keywords and operators."""
        return self.text.lower()


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(f"filter is {len(text)} characters long; the maximum is {MAX_FILTER_LENGTH}")

    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise FilterSyntaxError(f"unexpected character {text[position]!r} at position {position}")
        if match.lastgroup != "space":
            tokens.append(Token(match.lastgroup, match.group(), position))
        position = match.end()
    return tokens


# ---------------------------------------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self, expected: str) -> Token:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError(f"expected {expected} but the filter ended")
        self.index += 1
        return token

    def expect(self, kind: str, expected: str) -> Token:
        token = self.next(expected)
        if token.kind != kind:
            raise FilterSyntaxError(f"expected {expected} at position {token.position}, found {token.text!r}")
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "path" and token.word in words

    def finish(self) -> None:
        token = self.peek()
        if token is not None:
            raise FilterSyntaxError(f"unexpected {token.text!r} at position {token.position}")

    # filter = or_expr
    def filter(self) -> Filter:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterSyntaxError(f"filter nests deeper than {MAX_DEPTH} levels")
        expr = self.or_expr()
        self.depth -= 1
        return expr

    def or_expr(self) -> Filter:
        expr = self.and_expr()
        while self.at_word("or"):
            self.index += 1
            expr = Or(expr, self.and_expr())
        return expr

    def and_expr(self) -> Filter:
        expr = self.unary()
        while self.at_word("and"):
            self.index += 1
            expr = And(expr, self.unary())
        return expr

    def unary(self) -> Filter:
        token = self.peek()
        if token is not None and token.kind == "lparen":
            return self.group()

        if self.at_word("not"):
            self.index += 1
            return Not(self.group())

        path = self.attr_path()
        token = self.peek()
        if token is not None and token.kind == "lbracket":
            return ValuePath(path, self.bracketed_filter())
        return self.attr_expr(path)

    def group(self) -> Filter:
        self.expect("lparen", "'('")
        expr = self.filter()
        self.expect("rparen", "')'")
        return expr

    def bracketed_filter(self) -> Filter:
        self.expect("lbracket", "'['")
        expr = self.filter()
        self.expect("rbracket", "']'")
        return expr

    def attr_path(self) -> AttrPath:
        token = self.next("an attribute name")
        if token.kind != "path" or token.word in ("and", "or", "not"):
            raise FilterSyntaxError(f"expected an attribute name at position {token.position}, found {token.text!r}")
        return parse_attr_path(token.text)

    def attr_expr(self, path: AttrPath) -> Filter:
        token = self.next(f"an operator after {path}")
        operator = token.word
        if token.kind != "path" or operator not in (*COMPARE_OPERATORS, "pr"):
            raise FilterSyntaxError(f"unknown operator {token.text!r} at position {token.position}; use one of "
                                    f"{', '.join(COMPARE_OPERATORS)} or pr")
        if operator == "pr":
            return Present(path)
        return Compare(path, operator, self.value())

    def value(self) -> Any:
        token = self.next("a value")
        if token.kind == "string":
            return _decode_string(token)
        if token.kind == "number":
            return json.loads(token.text)
        if token.kind == "path" and token.word in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.word]
        raise FilterSyntaxError(f"expected a JSON value at position {token.position}, found {token.text!r}; "
                                'quote strings with "')


def _decode_string(token: Token) -> str:
    try:
        value = json.loads(token.text)
    except ValueError:
        raise FilterSyntaxError(f"invalid string escape in {token.text} at position {token.position}") from None
    if "\x00" in value:
        raise FilterSyntaxError(f"the string at position {token.position} contains a NUL character")
    return value


def parse_attr_path(text: str) -> AttrPath:
    """Split ``[urn:]name[.sub]`` into its parts."""
    urn = None
    if text.lower().startswith("urn:"):
        urn, _, text = text.rpartition(":")
    name, _, sub = text.partition(".")
    return AttrPath(name=name, sub=sub or None, urn=urn)


def parse_filter(text: str) -> Filter:
    """Parse a filter expression, raising FilterSyntaxError with the position of the first problem."""
    parser = _Parser(text)
    if parser.peek() is None:
        raise FilterSyntaxError("filter is empty")
    expr = parser.filter()
    parser.finish()
    return expr


def parse_path(text: str) -> PatchPath:
    """Parse a PATCH path such as ``members[value eq "2819c223"]`` or ``emails[type eq "work"].value``."""
    parser = _Parser(text)
    attribute = parser.attr_path()

    value_filter = sub = None
    token = parser.peek()
    if token is not None and token.kind == "lbracket":
        if attribute.sub is not None:
            raise FilterSyntaxError(f"a value filter cannot follow the sub-attribute in {text!r}")
        value_filter = parser.bracketed_filter()
        token = parser.peek()
        if token is not None and token.kind == "subattr":
            sub = token.text[1:]
            parser.index += 1

    parser.finish()
    return PatchPath(attribute, value_filter, sub)
