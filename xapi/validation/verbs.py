"""Checks for Verbs (xAPI 1.0.3 Data 2.4.3)."""

from xapi.validation.primitives import (
    check_identifier_length,
    check_iri,
    check_language_map,
    check_properties,
    child_path,
    require_object,
)

VOIDED_VERB_ID = "http://adlnet.gov/expapi/verbs/voided"

_VERB_PROPERTIES = frozenset({"id", "display"})
_VERB_REQUIRED = ("id",)


def validate_verb(verb: object, path: str) -> None:
    """Check a Verb: an IRI "id" and an optional "display" language map."""
    require_object(verb, path, "a Verb object")
    check_properties(verb, _VERB_PROPERTIES, _VERB_REQUIRED, path, "a Verb")

    id_path = child_path(path, "id")
    check_iri(verb["id"], id_path, kind="Verb id")
    check_identifier_length(verb["id"], id_path, "Verb id")
    if "display" in verb:
        check_language_map(verb["display"], child_path(path, "display"))
