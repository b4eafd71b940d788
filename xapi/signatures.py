"""Signed statements (xAPI 1.0.3 Data 2.6, IEEE 9274.1.1 section 4.2.6).

A signed statement carries a JSON Web Signature (JWS) in compact
serialization as an attachment with usageType
http://adlnet.gov/expapi/attachments/signature and contentType
application/octet-stream. The JWS payload is the statement as it was before
the signature was added, signed with RS256, RS384 or RS512. An LRS checks
that the signature is well formed, that the payload is equivalent to the
received statement, and, when the JWS header has an "x5c" certificate chain,
that the signature verifies against the first certificate.
"""

import base64
import binascii
from collections.abc import Mapping

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from xapi import strict_json
from xapi.canonical import statements_equivalent
from xapi.errors import ValidationError
from xapi.multipart import AttachmentPart
from xapi.validation import validate_statement
from xapi.validation.primitives import child_path, item_path

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = ("RS256", "RS384", "RS512")

_JWS = jwt.PyJWS()


def check_signatures(statement: dict, parts: Mapping[str, AttachmentPart], version: str, path: str = "") -> None:
    """Check every signature attachment of a validated statement.

    ``parts`` contains the attachment data received with the request, by
    lower-case sha2. A signature known only by its fileUrl can have its
    contentType checked but not its JWS. Raises ValidationError with a
    message naming the fault.
    """
    for index, attachment in enumerate(statement.get("attachments") or ()):
        if attachment["usageType"] != SIGNATURE_USAGE_TYPE:
            continue

        attachment_path = item_path(child_path(path, "attachments"), index)
        media_type = attachment["contentType"].split(";", 1)[0].strip().lower()
        if media_type != SIGNATURE_CONTENT_TYPE:
            raise ValidationError(
                f"a signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}, "
                f"not {attachment['contentType']!r}",
                child_path(attachment_path, "contentType"),
            )

        part = parts.get(attachment["sha2"].lower())
        if part is not None:
            verify_signed_statement(part.data, statement, version, attachment_path)


def verify_signed_statement(token: bytes, statement: dict, version: str, path: str = "") -> dict:
    """Verify one JWS against the received ``statement`` and return the signed statement.

    Raises ValidationError when the JWS is malformed, uses another
    algorithm, fails verification against its x5c certificate, or signs a
    statement that is not equivalent to ``statement``.
    """
    token = token.strip()
    header = _header(token, path)

    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise ValidationError(
            f"the statement signature uses algorithm {algorithm!r}; xAPI allows only {', '.join(ALGORITHMS)}",
            path,
        )

    payload = _verified_payload(token, header, algorithm, path)
    signed = _signed_statement(payload, version, path)
    if not statements_equivalent(signed, statement):
        raise ValidationError(
            "the signed statement in the JWS payload does not match the statement sent; "
            "sign the statement exactly as it is sent, without the signature attachment",
            path,
        )
    return signed


def _header(token: bytes, path: str) -> dict:
    try:
        header = _JWS.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise ValidationError(
            f"the statement signature is not a JWS in compact serialization: {error}", path
        ) from None
    return header


def _verified_payload(token: bytes, header: dict, algorithm: str, path: str) -> bytes:
    # NOTE: without "x5c" the signature cannot be verified here; the spec leaves trust to the consumer.
    if "x5c" not in header:
        return _decode(token, path, key="", algorithms=None, verify=False)

    key = _certificate_key(header["x5c"], path)
    return _decode(token, path, key=key, algorithms=[algorithm], verify=True)


def _decode(token: bytes, path: str, key, algorithms, verify: bool) -> bytes:
    try:
        decoded = _JWS.decode_complete(token, key=key, algorithms=algorithms,
                                       options={"verify_signature": verify})
    except jwt.InvalidSignatureError:
        raise ValidationError(
            "the statement signature does not verify against the certificate in its x5c header", path
        ) from None
    except jwt.PyJWTError as error:
        raise ValidationError(f"the statement signature is malformed: {error}", path) from None
    return decoded["payload"]


def _certificate_key(chain: object, path: str) -> RSAPublicKey:
    """Return the RSA public key of the first certificate of an x5c chain.

    NOTE: the chain itself and trust in its issuer are not checked; xAPI
    uses the certificate to catch signing mistakes, not as a security measure.
    """
    if type(chain) is not list or not chain or type(chain[0]) is not str:
        raise ValidationError("the JWS x5c header must be an array of base64 DER certificates", path)

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error) as error:
        raise ValidationError(f"the first certificate in the JWS x5c header is invalid: {error}", path) from None

    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        raise ValidationError("the certificate in the JWS x5c header must hold an RSA key for RS256/384/512",
                              path)
    return key


def _signed_statement(payload: bytes, version: str, path: str) -> dict:
    try:
        signed = strict_json.loads(payload)
    except (ValueError, ValidationError) as error:
        raise ValidationError(f"the JWS payload is not valid JSON: {error}", path) from None

    try:
        validate_statement(signed, version)
    except ValidationError as error:
        raise ValidationError(f"the JWS payload is not a valid statement: {error}", path) from None
    return signed
