"""multipart/mixed statement requests: parsing, matching parts to attachments, and building responses."""

import hashlib
import json

import pytest

from xapi.errors import ValidationError
from xapi.multipart import AttachmentPart, build_multipart, match_attachment_parts, parse_statement_request

BOUNDARY = "abcABC0123'()+_,-./:=?"
CONTENT_TYPE = f'multipart/mixed; boundary="{BOUNDARY}"'
TEXT = b"here is a simple attachment"
TEXT_SHA2 = hashlib.sha256(TEXT).hexdigest()
BINARY = bytes(range(256)) + b"\r\n--abc\r\n\r\r\n\n"
BINARY_SHA2 = hashlib.sha512(BINARY).hexdigest()


def attachment(sha2: str, **extra) -> dict:
    return {"usageType": "http://example.com/usage", "display": {"en-US": "file"}, "contentType": "text/plain",
            "length": 27, "sha2": sha2, **extra}


def statement(*attachments: dict) -> dict:
    return {"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/verb"},
            "object": {"id": "http://example.com/activity"}, "attachments": list(attachments)}


def body(statements_json: bytes, *parts: tuple[dict, bytes], preamble: bytes = b"", epilogue: bytes = b"",
         boundary: str = BOUNDARY) -> bytes:
    chunks = [preamble, f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), statements_json]
    for headers, data in parts:
        chunks.append(f"\r\n--{boundary}\r\n".encode())
        chunks.append("".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n")
        chunks.append(data)
    chunks.append(f"\r\n--{boundary}--".encode() + epilogue)
    return b"".join(chunks)


def part_headers(sha2: str, **extra) -> dict:
    return {"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary", "X-Experience-API-Hash": sha2,
            **extra}


def test_spec_example_is_parsed():
    statements_json = json.dumps(statement(attachment(TEXT_SHA2))).encode()

    parsed_json, parts = parse_statement_request(CONTENT_TYPE, body(statements_json, (part_headers(TEXT_SHA2), TEXT)))

    assert parsed_json == statements_json
    assert parts[TEXT_SHA2].data == TEXT


def test_binary_data_is_kept_byte_for_byte():
    statements_json = json.dumps(statement(attachment(BINARY_SHA2))).encode()

    _, parts = parse_statement_request(CONTENT_TYPE, body(statements_json, (part_headers(BINARY_SHA2), BINARY)))

    assert parts[BINARY_SHA2].data == BINARY


def test_preamble_and_epilogue_are_ignored():
    statements_json = json.dumps(statement(attachment(TEXT_SHA2))).encode()
    data = body(statements_json, (part_headers(TEXT_SHA2), TEXT), preamble=b"\r\nignored preamble\r\n",
                epilogue=b"\r\ntrailing epilogue text\r\n")

    parsed_json, parts = parse_statement_request(CONTENT_TYPE, data)

    assert parsed_json == statements_json
    assert list(parts) == [TEXT_SHA2]


def test_header_without_space_after_colon_is_read():
    statements_json = b"[]"
    data = (f"\r\n--{BOUNDARY}\r\nContent-Type:application/json\r\n\r\n[]\r\n--{BOUNDARY}\r\n"
            f"X-Experience-API-Hash:{TEXT_SHA2}\r\nContent-Transfer-Encoding:binary\r\n\r\n").encode() + TEXT + \
        f"\r\n--{BOUNDARY}--".encode()

    parsed_json, parts = parse_statement_request(CONTENT_TYPE, data)

    assert parsed_json == statements_json
    assert parts[TEXT_SHA2].data == TEXT


def test_part_without_transfer_encoding_is_read_as_binary():
    headers = part_headers(TEXT_SHA2)
    del headers["Content-Transfer-Encoding"]

    _, parts = parse_statement_request(CONTENT_TYPE, body(b"{}", (headers, TEXT)))

    assert parts[TEXT_SHA2].data == TEXT


@pytest.mark.parametrize(
    "content_type, data, expected",
    [
        ("multipart/mixed", body(b"{}"), "boundary"),
        (CONTENT_TYPE, b"Content-Type: application/json\r\n\r\n{}", "no part"),
        (CONTENT_TYPE, body(b"{}").replace(b"application/json", b"text/plain"), "application/json"),
        (CONTENT_TYPE, body(b"{}", ({"Content-Type": "application/json"}, b"{}")), "X-Experience-API-Hash"),
        (CONTENT_TYPE, body(b"{}", (part_headers(TEXT_SHA2, **{"Content-Transfer-Encoding": "base64"}), TEXT)),
         "binary"),
        (CONTENT_TYPE, body(b"{}", (part_headers(BINARY_SHA2), TEXT)), "SHA-2"),
        (CONTENT_TYPE, body(b"{}", (part_headers("abc"), TEXT)), "invalid"),
        (CONTENT_TYPE, body(b"{}", (part_headers(TEXT_SHA2), TEXT), (part_headers(TEXT_SHA2), TEXT)), "once"),
        (CONTENT_TYPE, body(b"{}").rsplit(b"\r\n--", 1)[0], "closing boundary"),
    ],
    ids=["no boundary parameter", "no delimiter", "first part not JSON", "part without hash",
         "base64 part", "hash mismatch", "malformed hash", "repeated part", "no closing boundary"],
)
def test_malformed_request_is_rejected(content_type, data, expected):
    with pytest.raises(ValidationError) as raised:
        parse_statement_request(content_type, data)

    assert expected in raised.value.message


def test_matching_returns_parts_used():
    part = AttachmentPart(TEXT_SHA2, "text/plain", TEXT)

    used = match_attachment_parts([statement(attachment(TEXT_SHA2.upper()))], {TEXT_SHA2: part})

    assert used == {TEXT_SHA2: part}


def test_file_url_attachment_needs_no_part():
    assert match_attachment_parts([statement(attachment(TEXT_SHA2, fileUrl="https://example.com/f"))], {}) == {}


def test_attachment_without_file_url_or_part_is_rejected():
    with pytest.raises(ValidationError) as raised:
        match_attachment_parts([statement(), statement(attachment(TEXT_SHA2))], {})

    assert raised.value.path == "[1].attachments[0].sha2"


def test_substatement_attachment_needs_part():
    sub = {"objectType": "SubStatement", **statement(attachment(TEXT_SHA2))}
    outer = {**statement(), "object": sub}

    with pytest.raises(ValidationError) as raised:
        match_attachment_parts([outer], {})

    assert raised.value.path == "[0].object.attachments[0].sha2"


def test_part_without_attachment_is_rejected():
    parts = {TEXT_SHA2: AttachmentPart(TEXT_SHA2, "text/plain", TEXT)}

    with pytest.raises(ValidationError) as raised:
        match_attachment_parts([statement()], parts)

    assert TEXT_SHA2 in raised.value.message


def test_one_part_serves_attachments_of_several_statements():
    part = AttachmentPart(TEXT_SHA2, "text/plain", TEXT)

    used = match_attachment_parts([statement(attachment(TEXT_SHA2)), statement(attachment(TEXT_SHA2))],
                                  {TEXT_SHA2: part})

    assert list(used) == [TEXT_SHA2]


def test_built_response_parses_back():
    attachments = [AttachmentPart(TEXT_SHA2, "text/plain", TEXT),
                   AttachmentPart(BINARY_SHA2, "application/octet-stream", BINARY)]

    content_type, data = build_multipart(b'{"statements":[]}', attachments)
    parsed_json, parts = parse_statement_request(content_type, data)

    assert parsed_json == b'{"statements":[]}'
    assert parts[TEXT_SHA2].data == TEXT
    assert parts[BINARY_SHA2].data == BINARY
    assert parts[BINARY_SHA2].content_type == "application/octet-stream"
