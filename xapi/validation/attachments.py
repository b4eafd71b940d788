"""Checks for Attachment objects (xAPI 1.0.3 Data 2.4.11)."""

from xapi.validation.primitives import (
    check_iri,
    check_irl,
    check_language_map,
    check_media_type,
    check_properties,
    check_sha2_hex,
    child_path,
    item_path,
    require_array,
    require_non_negative_integer,
    require_object,
)

_ATTACHMENT_PROPERTIES = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)
_ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")


def validate_attachments(attachments: object, path: str) -> None:
    require_array(attachments, path, "an array of Attachment objects")

    for index, attachment in enumerate(attachments):
        validate_attachment(attachment, item_path(path, index))


def validate_attachment(attachment: object, path: str) -> None:
    """Check one Attachment; "sha2" is required even when "fileUrl" is given."""
    require_object(attachment, path, "an Attachment object")
    check_properties(attachment, _ATTACHMENT_PROPERTIES, _ATTACHMENT_REQUIRED, path, "an Attachment")

    check_iri(attachment["usageType"], child_path(path, "usageType"), kind="usageType IRI")
    check_language_map(attachment["display"], child_path(path, "display"))
    if "description" in attachment:
        check_language_map(attachment["description"], child_path(path, "description"))
    check_media_type(attachment["contentType"], child_path(path, "contentType"))
    require_non_negative_integer(attachment["length"], child_path(path, "length"))
    check_sha2_hex(attachment["sha2"], child_path(path, "sha2"))
    if "fileUrl" in attachment:
        check_irl(attachment["fileUrl"], child_path(path, "fileUrl"))
