"""Signed statements: JWS compact signatures checked against the statement and the x5c certificate."""

import copy

import pytest
from signing_support import sign, signature_attachment, signer

from xapi.errors import ValidationError
from xapi.multipart import AttachmentPart
from xapi.signatures import check_signatures, verify_signed_statement

STATEMENT = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
    "object": {"id": "http://example.com/exam"},
    "result": {"success": True, "duration": "PT1M2.345S"},
}


def signed_statement(token: bytes, content_type: str = "application/octet-stream") -> tuple[dict, dict]:
    statement = {**copy.deepcopy(STATEMENT), "attachments": [signature_attachment(token, content_type)]}
    part = AttachmentPart(statement["attachments"][0]["sha2"], "application/octet-stream", token)
    return statement, {part.sha2: part}


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_valid_signature_is_accepted(algorithm, version):
    statement, parts = signed_statement(sign(STATEMENT, algorithm))

    check_signatures(statement, parts, version)


def test_signature_without_x5c_is_accepted():
    statement, parts = signed_statement(sign(STATEMENT, with_x5c=False))

    check_signatures(statement, parts, "1.0.3")


def test_payload_with_lrs_differences_matches():
    sent = {**STATEMENT, "result": {"success": True, "duration": "PT1M2.3459S"}}

    verify_signed_statement(sign(STATEMENT), sent, "2.0.0")


def reject(token: bytes, statement: dict = STATEMENT, content_type: str = "application/octet-stream") -> str:
    signed, parts = signed_statement(token, content_type)
    signed.update({key: value for key, value in statement.items() if key != "attachments"})
    with pytest.raises(ValidationError) as raised:
        check_signatures(signed, parts, "1.0.3")
    return raised.value.message


def test_wrong_content_type_is_rejected():
    assert "application/octet-stream" in reject(sign(STATEMENT), content_type="text/plain")


def test_hmac_algorithm_is_rejected():
    assert "'HS256'" in reject(sign(STATEMENT, algorithm="HS256"))


def test_payload_of_other_statement_is_rejected():
    other = {**STATEMENT, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}

    assert "does not match" in reject(sign(other))


def test_signature_by_other_key_is_rejected():
    token = sign(STATEMENT, key_signer=signer("other signer"), certificate_signer=signer())

    assert "does not verify" in reject(token)


@pytest.mark.parametrize("token", [b"not a jws", b"e30.e30", b"a.b.c"])
def test_malformed_jws_is_rejected(token):
    assert "JWS" in reject(token)


def test_payload_that_is_not_json_is_rejected():
    import jwt

    token = jwt.PyJWS().encode(b"{'actor': 1}", signer().key, algorithm="RS256").encode()

    assert "not valid JSON" in reject(token)


def test_payload_that_is_not_a_statement_is_rejected():
    assert "not a valid statement" in reject(sign({"actor": {"mbox": "mailto:a@example.com"}}))


def test_signature_known_only_by_file_url_is_not_verified():
    statement = {**STATEMENT, "attachments": [{**signature_attachment(b"x"), "fileUrl": "https://example.com/s"}]}

    check_signatures(statement, {}, "1.0.3")
