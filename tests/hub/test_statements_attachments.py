"""Attachments over real HTTP: multipart/mixed requests and responses, fileUrl attachments and signed statements."""

from __future__ import annotations

import hashlib
import json

import pytest
from signing_support import sign, signature_attachment, signer
from statements_support import (BOUNDARY, attachment, multipart_body, part_headers, response_parts, statement)

VERSIONS = ["1.0.3", "2.0.0"]
TEXT = b"here is a simple attachment"
IMAGE = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_multipart_post_stores_attachment_data(make_client, version):
    client = make_client("all", version=version)
    sent = statement(attachments=[attachment(TEXT), attachment(IMAGE, "image/png")])
    headers, body = multipart_body(sent, TEXT, IMAGE)

    response = client.post("/xapi/statements", data=body, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == [sent["id"]]


@pytest.mark.parametrize("version", VERSIONS)
def test_get_with_attachments_returns_multipart(make_client, version):
    client = make_client("all", version=version)
    sent = statement(attachments=[attachment(TEXT), attachment(IMAGE, "image/png")])
    client.post("/xapi/statements", data=multipart_body(sent, TEXT, IMAGE)[1],
                headers=multipart_body(sent)[0])

    response = client.get("/xapi/statements", params={"statementId": sent["id"], "attachments": "true"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    (json_headers, json_data), *attachment_parts = response_parts(response)
    assert json_headers["Content-Type"] == "application/json"
    assert json.loads(json_data)["id"] == sent["id"]
    assert [data for _, data in attachment_parts] == [TEXT, IMAGE]
    for (headers, data), declared in zip(attachment_parts, sent["attachments"]):
        assert headers["X-Experience-API-Hash"] == hashlib.sha256(data).hexdigest()
        assert headers["Content-Transfer-Encoding"] == "binary"
        assert headers["Content-Type"] == declared["contentType"]


def test_shared_attachment_data_keeps_each_content_type(client):
    """Two statements attach the same bytes as different types; each is returned with its own type."""
    as_text = statement(attachments=[attachment(IMAGE, "text/plain")])
    as_image = statement(attachments=[attachment(IMAGE, "image/png")])
    for sent in (as_text, as_image):
        headers, body = multipart_body(sent, (part_headers(IMAGE, sent["attachments"][0]["contentType"]), IMAGE))
        assert client.post("/xapi/statements", data=body, headers=headers).status_code == 200

    for sent in (as_text, as_image):
        response = client.get("/xapi/statements", params={"statementId": sent["id"], "attachments": "true"})
        _, (part_headers_returned, data) = response_parts(response)
        assert data == IMAGE
        assert part_headers_returned["Content-Type"] == sent["attachments"][0]["contentType"]


def test_statement_result_with_attachments_returns_multipart(client):
    first = statement(attachments=[attachment(TEXT)])
    second = statement(attachments=[attachment(TEXT)])
    headers, body = multipart_body([first, second], TEXT)
    client.post("/xapi/statements", data=body, headers=headers)

    response = client.get("/xapi/statements", params={"attachments": "true"})

    (_, json_data), *attachment_parts = response_parts(response)
    assert {s["id"] for s in json.loads(json_data)["statements"]} == {first["id"], second["id"]}
    assert [data for _, data in attachment_parts] == [TEXT]


def test_get_without_attachments_returns_json(client):
    sent = statement(attachments=[attachment(TEXT)])
    headers, body = multipart_body(sent, TEXT)
    client.post("/xapi/statements", data=body, headers=headers)

    response = client.get("/xapi/statements", params={"statementId": sent["id"], "attachments": "false"})

    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["attachments"] == sent["attachments"]


@pytest.mark.parametrize("version", VERSIONS)
def test_multipart_put_stores_attachment(make_client, version):
    client = make_client("all", version=version)
    sent = statement(attachments=[attachment(TEXT)])
    headers, body = multipart_body(sent, TEXT)

    response = client.put("/xapi/statements", params={"statementId": sent["id"]}, data=body, headers=headers)

    assert response.status_code == 204, response.text
    parts = response_parts(client.get("/xapi/statements", params={"statementId": sent["id"],
                                                                    "attachments": "true"}))
    assert parts[1][1] == TEXT


@pytest.mark.parametrize("version", VERSIONS)
def test_file_url_attachment_accepted_as_json(make_client, version):
    client = make_client("all", version=version)
    sent = statement(attachments=[attachment(TEXT, fileUrl="https://files.example.com/a.txt")])

    assert client.post("/xapi/statements", json=sent).status_code == 200
    response = client.get("/xapi/statements", params={"statementId": sent["id"], "attachments": "true"})
    assert len(response_parts(response)) == 1


def test_file_url_attachment_accepted_as_multipart(client):
    sent = statement(attachments=[attachment(TEXT, fileUrl="https://files.example.com/a.txt")])
    headers, body = multipart_body(sent)

    assert client.post("/xapi/statements", data=body, headers=headers).status_code == 200


def test_multipart_without_attachments_accepted(client):
    headers, body = multipart_body([statement(), statement()])

    response = client.post("/xapi/statements", data=body, headers=headers)

    assert response.status_code == 200
    assert len(response.json()) == 2


@pytest.mark.parametrize("version", VERSIONS)
def test_json_attachment_without_file_url_rejected(make_client, version):
    client = make_client("all", version=version)

    response = client.post("/xapi/statements", json=statement(attachments=[attachment(TEXT)]))

    assert response.status_code == 400
    assert "fileUrl" in response.json()["error"]["message"]


def _rejected(client, headers, body) -> str:
    response = client.post("/xapi/statements", data=body, headers=headers)
    assert response.status_code == 400, response.text
    return response.json()["error"]["message"]


def test_missing_attachment_part_rejected(client):
    sent = statement(attachments=[attachment(TEXT), attachment(IMAGE)])

    assert "no multipart/mixed part" in _rejected(client, *multipart_body(sent, TEXT))


def test_extra_part_rejected(client):
    sent = statement(attachments=[attachment(TEXT)])

    assert "matches no attachment" in _rejected(client, *multipart_body(sent, TEXT, IMAGE))


def test_part_with_wrong_hash_rejected(client):
    sent = statement(attachments=[attachment(TEXT)])
    headers = {**part_headers(TEXT), "X-Experience-API-Hash": hashlib.sha256(b"other").hexdigest()}

    assert "SHA-2" in _rejected(client, *multipart_body(sent, (headers, TEXT)))


def test_part_without_hash_rejected(client):
    sent = statement(attachments=[attachment(TEXT)])
    headers = {"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary"}

    assert "X-Experience-API-Hash" in _rejected(client, *multipart_body(sent, (headers, TEXT)))


def test_base64_part_rejected(client):
    sent = statement(attachments=[attachment(TEXT)])
    headers = {**part_headers(TEXT), "Content-Transfer-Encoding": "base64"}

    assert "binary" in _rejected(client, *multipart_body(sent, (headers, TEXT)))


def test_first_part_not_json_rejected(client):
    headers, body = multipart_body(statement())

    assert "application/json" in _rejected(client, headers, body.replace(b"application/json", b"text/plain", 1))


def test_multipart_without_boundary_rejected(client):
    _, body = multipart_body(statement())

    assert "boundary" in _rejected(client, {"Content-Type": "multipart/mixed"}, body)


def test_multipart_form_data_rejected(client):
    _, body = multipart_body(statement())

    message = _rejected(client, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, body)

    assert "multipart/form-data" in message


def test_rejected_batch_stores_nothing(client):
    good = statement()
    bad = statement(attachments=[attachment(TEXT)])
    client.post("/xapi/statements", data=multipart_body([good, bad])[1], headers=multipart_body([])[0])

    assert client.get("/xapi/statements", params={"statementId": good["id"]}).status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Signed statements


def _signed(algorithm: str = "RS256", payload: dict | None = None, content_type: str = "application/octet-stream",
            **options) -> tuple[dict, bytes]:
    sent = statement()
    token = sign(payload or sent, algorithm, **options)
    return {**sent, "attachments": [signature_attachment(token, content_type)]}, token


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
@pytest.mark.parametrize("version", VERSIONS)
def test_signed_statement_accepted(make_client, version, algorithm):
    client = make_client("all", version=version)
    sent, token = _signed(algorithm)

    response = client.post("/xapi/statements", data=multipart_body(sent, token)[1], headers=multipart_body(sent)[0])

    assert response.status_code == 200, response.text
    parts = response_parts(client.get("/xapi/statements", params={"statementId": sent["id"],
                                                                    "attachments": "true"}))
    assert parts[1][1] == token


@pytest.mark.parametrize("version", VERSIONS)
def test_signature_of_other_statement_rejected(make_client, version):
    client = make_client("all", version=version)
    sent, token = _signed(payload=statement(email="someone-else@example.com"))

    response = client.post("/xapi/statements", data=multipart_body(sent, token)[1], headers=multipart_body(sent)[0])

    assert response.status_code == 400
    assert "does not match" in response.json()["error"]["message"]


def test_signature_by_other_key_rejected(client):
    sent, token = _signed(key_signer=signer("intruder"), certificate_signer=signer())

    assert "does not verify" in _rejected(client, *multipart_body(sent, token))


def test_signature_with_hmac_rejected(client):
    sent, token = _signed("HS256")

    assert "RS256" in _rejected(client, *multipart_body(sent, token))


def test_signature_with_wrong_content_type_rejected(client):
    sent, token = _signed(content_type="text/plain; charset=ascii")
    headers = part_headers(token, "text/plain")

    assert "application/octet-stream" in _rejected(client, *multipart_body(sent, (headers, token)))


def test_malformed_signature_rejected(client):
    token = b"this is not a JWS"
    sent = {**statement(), "attachments": [signature_attachment(token)]}

    assert "JWS" in _rejected(client, *multipart_body(sent, token))


@pytest.mark.parametrize("content_type, body", [
    ("multipart/mixed; boundary=", b"--\r\nContent-Type: application/json\r\n\r\n{}\r\n----"),
    ("multipart/mixed; boundary=\"unterminated", b"--x\r\n\r\n"),
    (f"multipart/mixed; boundary={BOUNDARY}", b""),
    (f"multipart/mixed; boundary={BOUNDARY}", f"--{BOUNDARY}\r\n\r\n{{}}\r\n--{BOUNDARY}--".encode()),
    (f"multipart/mixed; boundary={BOUNDARY}",
     f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode() + b"\xff\xfe{" + f"\r\n--{BOUNDARY}--".encode()),
    (f"multipart/mixed; boundary={BOUNDARY}",
     f"--{BOUNDARY}\r\nContent-Type: application/json\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n"
     f"--{BOUNDARY}--".encode()),
    (f"multipart/mixed; boundary={BOUNDARY}",
     f"--{BOUNDARY}\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\r\nx\r\n--inner--\r\n"
     f"--{BOUNDARY}--".encode()),
    (f"multipart/mixed; boundary={BOUNDARY}",
     f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n[]\r\n--{BOUNDARY}\r\n"
     f"Content-Type: multipart/mixed; boundary=inner\r\nX-Experience-API-Hash: {'0' * 64}\r\n\r\n"
     f"--inner\r\n\r\nx\r\n--inner--\r\n--{BOUNDARY}--".encode()),
    (f"multipart/mixed; boundary={BOUNDARY}",
     f"--{BOUNDARY}\r\nContent-Type: application/json\r\nBroken header line\r\n\r\n[]\r\n--{BOUNDARY}--".encode()),
], ids=["empty boundary", "unterminated quote", "empty body", "part without headers", "JSON not UTF-8",
        "bad base64 JSON part", "nested multipart first", "nested multipart attachment", "broken header"])
def test_malformed_multipart_is_bad_request(client, content_type, body):
    response = client.post("/xapi/statements", data=body, headers={"Content-Type": content_type})

    assert response.status_code == 400, response.text
