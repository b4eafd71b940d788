"""Statement requests and responses in the multipart/mixed format with attachments.

xAPI 1.0.3 Communication 1.5.2: the first part contains the statements as
application/json, and each further part contains the raw data of one attachment,
with an X-Experience-API-Hash header equal to the attachment's "sha2" and
Content-Transfer-Encoding binary. Parts are matched to attachments only by
that hash. Parsing uses the standard library's MIME parser, which handles
CRLF line ends, a preamble before the first boundary and an epilogue after
the closing one.
"""

import email.policy
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser

from xapi.errors import ValidationError
from xapi.validation.primitives import child_path, item_path

HASH_HEADER = "X-Experience-API-Hash"

# Hex length of each SHA-2 digest that the "sha2" property may hold.
_SHA2_BY_HEX_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}

_PARSER = BytesParser(policy=email.policy.HTTP)


@dataclass(frozen=True)
class AttachmentPart:
    """The raw data of one attachment, keyed by its lower-case SHA-2 hex digest."""

    sha2: str
    content_type: str
    data: bytes


def parse_statement_request(content_type: str, body: bytes) -> tuple[bytes, dict[str, AttachmentPart]]:
    """Split a multipart/mixed statement request into its JSON text and attachment parts.

    ``content_type`` is the request's whole Content-Type header, boundary
    included. Returns the first part's bytes and the other parts by hash.
    Raises ValidationError when the body is not multipart/mixed with a
    boundary, the first part is not application/json, a later part lacks
    X-Experience-API-Hash, uses a Content-Transfer-Encoding other than
    binary, repeats a hash, or contains data whose SHA-2 differs from its hash.
    """
    parts = _parse_parts(content_type, body)

    first = parts[0]
    if first.get_content_type() != "application/json":
        raise ValidationError(
            f"the first part of a multipart/mixed statement request must be application/json, "
            f"not {first.get_content_type()!r}",
            "Content-Type",
        )
    statements_json = first.get_payload(decode=True)

    attachments: dict[str, AttachmentPart] = {}
    for number, part in enumerate(parts[1:], start=2):
        attachment = _attachment_part(part, number)
        if attachment.sha2 in attachments:
            raise ValidationError(
                f"part {number} repeats the data of attachment {attachment.sha2}: send each attachment's data once",
                HASH_HEADER,
            )
        attachments[attachment.sha2] = attachment
    return statements_json, attachments


def match_attachment_parts(statements: list[dict], parts: dict[str, AttachmentPart]) -> dict[str, AttachmentPart]:
    """Check that the parts and the statements' attachments correspond, and return the parts used.

    Every attachment without a "fileUrl" needs a part with its hash (xAPI
    1.0.3 Communication 1.5.2.s3.b5), and every part must belong to an
    attachment. Attachments of a SubStatement count too. Raises
    ValidationError naming the attachment or the hash otherwise.
    """
    used: dict[str, AttachmentPart] = {}
    for index, statement in enumerate(statements):
        for path, attachment in attachments_with_paths(statement, item_path("", index)):
            sha2 = attachment["sha2"].lower()
            part = parts.get(sha2)
            if part is not None:
                used[sha2] = part
            elif "fileUrl" not in attachment:
                raise ValidationError(
                    f"attachment {sha2} has no fileUrl and no multipart/mixed part carries its data; "
                    f"send it as a part with the header {HASH_HEADER}: {sha2}, or give a fileUrl",
                    child_path(path, "sha2"),
                )

    unused = [sha2 for sha2 in parts if sha2 not in used]
    if unused:
        raise ValidationError(
            f"the request has a part with {HASH_HEADER} {unused[0]} that matches no attachment's sha2; "
            "send only the data of the statements' attachments",
            HASH_HEADER,
        )
    return used


def attachments_with_paths(statement: dict, path: str = "") -> list[tuple[str, dict]]:
    """Return (path, Attachment) for the attachments of a statement and of its SubStatement."""
    found = [
        (item_path(child_path(path, "attachments"), index), attachment)
        for index, attachment in enumerate(statement.get("attachments") or ())
    ]

    target = statement.get("object") or {}
    if target.get("objectType") == "SubStatement":
        found.extend(attachments_with_paths(target, child_path(path, "object")))
    return found


def build_multipart(json_body: bytes, attachments: Iterable[AttachmentPart]) -> tuple[str, bytes]:
    """Build a multipart/mixed response: the JSON first, then one part per attachment.

    Returns the Content-Type header value and the body.
    """
    attachments = list(attachments)
    boundary = _boundary_absent_from(json_body, attachments)
    delimiter = f"--{boundary}\r\n".encode()

    chunks = [delimiter, b"Content-Type: application/json\r\n\r\n", json_body, b"\r\n"]
    for attachment in attachments:
        chunks.append(delimiter)
        chunks.append(
            f"Content-Type: {attachment.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\n"
            f"{HASH_HEADER}: {attachment.sha2}\r\n\r\n".encode()
        )
        chunks.append(attachment.data)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)


def sha2_hex(data: bytes, hex_length: int) -> str:
    """Return the SHA-2 digest of ``data`` whose hex form has ``hex_length`` digits (56, 64, 96 or 128)."""
    return hashlib.new(_SHA2_BY_HEX_LENGTH[hex_length], data).hexdigest()


def _parse_parts(content_type: str, body: bytes) -> list[Message]:
    try:
        message = _PARSER.parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    except (UnicodeEncodeError, ValueError) as error:
        raise ValidationError(f"invalid multipart/mixed request: {error}", "Content-Type") from None

    if message.get_content_type() != "multipart/mixed":
        raise ValidationError(f"expected a multipart/mixed body, not {message.get_content_type()!r}",
                              "Content-Type")
    if message.get_boundary() is None:
        raise ValidationError(
            "the multipart/mixed Content-Type has no boundary parameter; send "
            "Content-Type: multipart/mixed; boundary=...",
            "Content-Type",
        )

    parts = message.get_payload() if message.is_multipart() else []
    if not parts:
        raise ValidationError(
            f"the body has no part that starts with the boundary --{message.get_boundary()}",
            "body",
        )
    if any(type(defect).__name__ == "CloseBoundaryNotFoundDefect" for defect in message.defects):
        raise ValidationError(
            f"the body does not end with the closing boundary --{message.get_boundary()}--",
            "body",
        )
    return parts


def _attachment_part(part: Message, number: int) -> AttachmentPart:
    declared = (part.get(HASH_HEADER) or "").strip().lower()
    if not declared:
        raise ValidationError(f"part {number} has no {HASH_HEADER} header naming its attachment's sha2",
                              HASH_HEADER)
    if len(declared) not in _SHA2_BY_HEX_LENGTH:
        raise ValidationError(
            f"part {number} has an invalid {HASH_HEADER} {declared!r}: expected a SHA-2 hex digest",
            HASH_HEADER,
        )

    # Communication 1.5.2.s3.b6: a part without the header is read as binary.
    encoding = (part.get("Content-Transfer-Encoding") or "binary").strip().lower()
    if encoding != "binary":
        raise ValidationError(
            f"part {number} has Content-Transfer-Encoding {encoding!r}; attachment parts must be binary",
            "Content-Transfer-Encoding",
        )

    data = part.get_payload(decode=True)
    if data is None:
        raise ValidationError(f"part {number} is itself a multipart body; send the attachment's raw data",
                              "body")

    actual = sha2_hex(data, len(declared))
    if actual != declared:
        raise ValidationError(
            f"the data of part {number} has SHA-2 {actual}, not the {declared} its {HASH_HEADER} names",
            HASH_HEADER,
        )
    return AttachmentPart(sha2=declared, content_type=part.get_content_type(), data=data)


def _boundary_absent_from(json_body: bytes, attachments: list[AttachmentPart]) -> str:
    while True:
        boundary = uuid.uuid4().hex
        marker = boundary.encode()
        if marker not in json_body and not any(marker in attachment.data for attachment in attachments):
            return boundary
