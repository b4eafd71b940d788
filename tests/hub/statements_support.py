"""Statements and multipart/mixed bodies for the statements resource tests."""

from __future__ import annotations

import hashlib
import json
import uuid

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
BOUNDARY = "skillwire-test-boundary"


def statement(email: str = "learner@example.com", verb: str = COMPLETED,
              activity: str = "http://example.com/activities/course-1", **extra) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:{email}", "name": "Learner"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity},
    }
    body.update(extra)
    return body


def statement_ref(target_id: str, email: str = "reviewer@example.com",
                  verb: str = "http://example.com/verbs/confirmed", **extra) -> dict:
    return statement(email=email, verb=verb, object={"objectType": "StatementRef", "id": target_id}, **extra)


def attachment(data: bytes, content_type: str = "text/plain", **extra) -> dict:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": content_type,
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
        **extra,
    }


def multipart_body(statements: dict | list, *parts: bytes | tuple[dict, bytes]) -> tuple[dict, bytes]:
    """Return the headers and body of a multipart/mixed statements request with one part per attachment.

    A part given as bytes gets the standard headers; a (headers, data) pair sends exactly those headers.
    """
    chunks = [f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(), json.dumps(statements).encode()]
    for part in parts:
        headers, data = part if isinstance(part, tuple) else (part_headers(part), part)
        chunks.append(f"\r\n--{BOUNDARY}\r\n".encode())
        chunks.append("".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n")
        chunks.append(data)
    chunks.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"}, b"".join(chunks)


def part_headers(data: bytes, content_type: str = "text/plain") -> dict:
    return {"Content-Type": content_type, "Content-Transfer-Encoding": "binary",
            "X-Experience-API-Hash": hashlib.sha256(data).hexdigest()}


def ids_of(response) -> list[str]:
    return [item["id"] for item in response.json()["statements"]]


def response_parts(response) -> list[tuple[dict, bytes]]:
    """Split a multipart/mixed response with the standard library parser into (headers, data) pairs."""
    import email.parser
    import email.policy

    raw = b"Content-Type: " + response.headers["Content-Type"].encode() + b"\r\n\r\n" + response.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert message.is_multipart(), response.headers["Content-Type"]
    return [(dict(part.items()), part.get_payload(decode=True)) for part in message.get_payload()]
