"""Checks for the xAPI value types: UUIDs, IRIs, language tags and maps,
extensions, mailto IRIs, hashes, and the JSON types themselves.

xAPI 1.0.3 Data 2.2 requires an LRS to reject null values (except inside
extensions), values of the wrong JSON type, values that do not follow their
format, keys in the wrong case and keys the specification does not allow.

Every check returns None when the value is valid and raises ValidationError
otherwise. Checks that see the same values over and over (IRIs, language
tags) keep a bounded cache of valid values.
"""

import math
import re
from functools import lru_cache

from xapi.errors import ValidationError, json_type_name


def child_path(path: str, key: str) -> str:
    """Return the path of property ``key`` inside the value at ``path``."""
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    """Return the path of array item ``index`` inside the array at ``path``."""
    return f"{path}[{index}]"


# --- JSON types -------------------------------------------------------------


def require_object(value: object, path: str, expected: str = "an object") -> None:
    if type(value) is not dict:
        raise ValidationError(f"must be {expected}, not {json_type_name(value)}", path)


def require_array(value: object, path: str, expected: str = "an array") -> None:
    if type(value) is not list:
        raise ValidationError(f"must be {expected}, not {json_type_name(value)}", path)


def require_string(value: object, path: str) -> None:
    if type(value) is not str:
        raise ValidationError(f"must be a string, not {json_type_name(value)}", path)


def require_boolean(value: object, path: str) -> None:
    if type(value) is not bool:
        raise ValidationError(f"must be true or false, not {json_type_name(value)}", path)


def require_number(value: object, path: str) -> None:
    # bool is a subclass of int, so it is excluded by exact type checks.
    value_type = type(value)
    if value_type is int:
        return
    if value_type is float and math.isfinite(value):
        return
    raise ValidationError(f"must be a finite number, not {json_type_name(value)}", path)


def require_non_negative_integer(value: object, path: str) -> None:
    if type(value) is not int:
        raise ValidationError(f"must be an integer, not {json_type_name(value)}", path)
    if value < 0:
        raise ValidationError(f"must not be negative, got {value}", path)


def check_properties(
    value: dict,
    allowed: frozenset[str],
    required: tuple[str, ...],
    path: str,
    owner: str,
) -> None:
    """Reject missing required properties and properties not in ``allowed``.

    Key comparison is case-sensitive, as xAPI 1.0.3 Data 2.2.s4.b1.b5 requires.
    """
    for key in required:
        if key not in value:
            raise ValidationError(f"missing required property of {owner}", child_path(path, key))

    if not allowed.issuperset(value):
        unknown = next(key for key in value if key not in allowed)
        raise ValidationError(_unknown_property_message(unknown, allowed, owner), child_path(path, unknown))


def _unknown_property_message(key: str, allowed: frozenset[str], owner: str) -> str:
    by_lower_case = {name.lower(): name for name in allowed}
    suggestion = by_lower_case.get(key.lower())
    if suggestion is not None:
        return f"unknown property {key!r} of {owner}: property names are case-sensitive, use {suggestion!r}"
    return f"unknown property {key!r} of {owner}; allowed: {', '.join(sorted(allowed))}"


# --- UUIDs ------------------------------------------------------------------

# xAPI 1.0.3 Data 2.4.1 and 4.4: a UUID in standard string form, of RFC 4122
# variant 2 (variant nibble 8, 9, a or b). Versions 1 to 8 are accepted,
# which covers RFC 4122 and the newer RFC 9562 versions.
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
)
_UUID_SHAPE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(value: object) -> bool:
    return type(value) is str and _UUID.fullmatch(value) is not None


def check_uuid(value: object, path: str) -> None:
    if type(value) is str and _UUID.fullmatch(value) is not None:
        return

    require_string(value, path)
    if _UUID_SHAPE.fullmatch(value) is None:
        raise ValidationError(
            f"invalid UUID {value!r}: expected the standard form "
            "xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx of 32 hex digits",
            path,
        )
    raise ValidationError(
        f"invalid UUID {value!r}: not an RFC 4122 variant 2 UUID (the first digit "
        "of the fourth group must be 8, 9, a or b and the version digit 1 to 8)",
        path,
    )


# --- IRIs -------------------------------------------------------------------

# RFC 3987 absolute IRI, checked on a best-effort basis as xAPI 1.0.3 Data
# 2.2.s4.b6 allows: a scheme, then only characters an IRI may contain, at most
# one "#", and "%" only as the start of a percent-encoded octet. A bare UUID
# or a relative reference has no scheme and is rejected.
_IRI_CHAR = (
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/\[\]]|%[0-9A-Fa-f]{2}"
    r"|[\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\U00010000-\U000EFFFD])"
)
_IRI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.\-]*:{_IRI_CHAR}+(?:\?(?:{_IRI_CHAR}|\?)*)?(?:#(?:{_IRI_CHAR}|\?)*)?"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


@lru_cache(maxsize=8192)
def is_iri(value: str) -> bool:
    return _IRI.fullmatch(value) is not None


def check_iri(value: object, path: str, kind: str = "IRI") -> None:
    if type(value) is str and is_iri(value):
        return

    require_string(value, path)
    if _SCHEME.match(value) is None:
        raise ValidationError(
            f"invalid {kind} {value!r}: an absolute IRI with a scheme is required, "
            "such as http://example.com/activities/1",
            path,
        )
    raise ValidationError(
        f"invalid {kind} {value!r}: contains characters an IRI may not contain "
        "(spaces, quotes, <>{}|\\^` or a bare '%'); percent-encode them",
        path,
    )


def check_irl(value: object, path: str) -> None:
    # An IRL is an IRI that is meant to resolve; resolvability is not checked.
    check_iri(value, path, kind="IRL")


# --- Language tags and maps -------------------------------------------------

# RFC 5646 section 2.1 well-formed "Language-Tag", case-insensitive. xAPI
# 1.0.3 Data 2.2.s4.b2 requires at least this check of subtag lengths;
# registry membership is not checked.
_ALPHANUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language with extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALPHANUM}{{5,8}}|[0-9]{_ALPHANUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wyz](?:-{_ALPHANUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALPHANUM}{{1,8}})+)?"  # private use
)
_PRIVATE_USE = rf"x(?:-{_ALPHANUM}{{1,8}})+"
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|"
    "i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|"
    "art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGUAGE_TAG = re.compile(rf"(?:{_LANGTAG}|{_PRIVATE_USE}|{_GRANDFATHERED})", re.IGNORECASE | re.ASCII)


@lru_cache(maxsize=4096)
def is_language_tag(value: str) -> bool:
    return _LANGUAGE_TAG.fullmatch(value) is not None


def check_language_tag(value: object, path: str) -> None:
    if type(value) is str and is_language_tag(value):
        return

    require_string(value, path)
    raise ValidationError(
        f"invalid language tag {value!r}: expected an RFC 5646 tag such as en, en-US or zh-Hans-CN",
        path,
    )


def check_language_map(value: object, path: str) -> None:
    """Check an xAPI language map: RFC 5646 tags mapped to strings (Data 4.2)."""
    require_object(value, path, "a language map (an object of language tag to string)")

    for tag, text in value.items():
        if not is_language_tag(tag):
            raise ValidationError(
                f"invalid language tag {tag!r} in language map: expected an RFC 5646 "
                "tag such as en, en-US or zh-Hans-CN",
                child_path(path, tag),
            )
        if type(text) is not str:
            raise ValidationError(f"must be a string, not {json_type_name(text)}", child_path(path, tag))


# --- Extensions -------------------------------------------------------------


def check_extensions(value: object, path: str) -> None:
    """Check an extensions map: IRI keys, any JSON values (Data 4.1).

    Values are not checked, null included, because xAPI 1.0.3 Data 4.1.s3.b2
    forbids rejecting a statement based on them.
    """
    require_object(value, path, "an extensions object (IRI keys)")

    for key in value:
        if not is_iri(key):
            raise ValidationError(
                f"invalid extension key {key!r}: extension keys must be absolute IRIs",
                child_path(path, key),
            )


# --- Identifiers and hashes -------------------------------------------------

# A "mailto:" IRI holding one email address (xAPI 1.0.3 Data 2.4.2.3). The
# local part and domain are checked loosely; internationalized addresses pass,
# control characters do not.
_MAILTO = re.compile(
    r"mailto:[^\s\x00-\x1f\x7f@<>()\[\]\\,;:\"]+@[^\s\x00-\x1f\x7f@<>()\[\]\\,;:\"?#/.]+"
    r"(?:\.[^\s\x00-\x1f\x7f@<>()\[\]\\,;:\"?#/.]+)*"
)
_SHA1_HEX = re.compile(r"[0-9a-fA-F]{40}")
# SHA-224, SHA-256, SHA-384 or SHA-512 as hex.
_SHA2_HEX = re.compile(r"[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")
# RFC 2046 Internet media type: type "/" subtype, then optional parameters.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:[ \t]*;[^\x00-\x08\x0a-\x1f\x7f]*)?")


def check_mbox(value: object, path: str) -> None:
    if type(value) is str and _MAILTO.fullmatch(value) is not None:
        return

    require_string(value, path)
    check_no_control_characters(value, path)
    raise ValidationError(
        f"invalid mbox {value!r}: expected a mailto IRI such as mailto:learner@example.com",
        path,
    )


def check_sha1_hex(value: object, path: str) -> None:
    if type(value) is str and _SHA1_HEX.fullmatch(value) is not None:
        return

    require_string(value, path)
    raise ValidationError(
        f"invalid SHA-1 hash {value!r}: expected 40 hexadecimal digits",
        path,
    )


def check_sha2_hex(value: object, path: str) -> None:
    if type(value) is str and _SHA2_HEX.fullmatch(value) is not None:
        return

    require_string(value, path)
    raise ValidationError(
        f"invalid SHA-2 hash {value!r}: expected 56, 64, 96 or 128 hexadecimal digits",
        path,
    )


def check_media_type(value: object, path: str) -> None:
    if type(value) is str and _MEDIA_TYPE.fullmatch(value) is not None:
        return

    require_string(value, path)
    raise ValidationError(
        f"invalid content type {value!r}: expected an Internet media type such as application/pdf",
        path,
    )


# --- Control characters and lengths ------------------------------------------

# C0 control characters and DEL. PostgreSQL text cannot store U+0000 at all,
# and none of them belongs in an identifier.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")

# The longest verb id, activity id or agent identifier accepted, in UTF-8
# bytes. NOTE: xAPI sets no maximum, so longer values are valid xAPI that this
# library rejects. The limit keeps each value within one database index entry,
# which PostgreSQL (8 kB pages) rejects above 2,704 bytes.
MAX_IDENTIFIER_BYTES = 2048


def check_no_control_characters(value: str, path: str) -> None:
    """Reject a string that contains a C0 control character (U+0000 to U+001F) or DEL."""
    match = _CONTROL_CHARACTER.search(value)
    if match is not None:
        raise ValidationError(
            f"contains the control character U+{ord(match.group()):04X} at position {match.start()}; "
            "identifiers must not contain control characters",
            path,
        )


def check_identifier_length(value: str, path: str, kind: str) -> None:
    """Reject an identifier longer than MAX_IDENTIFIER_BYTES in UTF-8, which the LRS cannot index."""
    # A character takes at most 4 bytes in UTF-8, so most values skip the encoding.
    if len(value) * 4 <= MAX_IDENTIFIER_BYTES:
        return

    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_IDENTIFIER_BYTES:
        raise ValidationError(
            f"{kind} is {size} bytes long in UTF-8; this LRS accepts at most {MAX_IDENTIFIER_BYTES}",
            path,
        )
