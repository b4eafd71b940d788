"""Signed statements for tests: an RSA key, a self-signed X.509 certificate and JWS compact signatures."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    certificate_der: bytes

    @property
    def x5c(self) -> list[str]:
        return [base64.b64encode(self.certificate_der).decode()]


@lru_cache(maxsize=2)
def signer(name: str = "Skillwire test signer") -> Signer:
    """Return an RSA key with a self-signed certificate; one per name, made once per test run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    return Signer(key=key, certificate_der=certificate.public_bytes(serialization.Encoding.DER))


def sign(statement: dict, algorithm: str = "RS256", with_x5c: bool = True, key_signer: Signer | None = None,
         certificate_signer: Signer | None = None) -> bytes:
    """Return a JWS compact serialization whose payload is ``statement`` as JSON."""
    key_signer = key_signer or signer()
    headers = {"x5c": (certificate_signer or key_signer).x5c} if with_x5c else None
    payload = json.dumps(statement).encode()
    if algorithm.startswith("HS"):
        return jwt.PyJWS().encode(payload, "shared-secret-of-thirty-two-bytes!", algorithm=algorithm).encode()
    return jwt.PyJWS().encode(payload, key_signer.key, algorithm=algorithm, headers=headers).encode()


def signature_attachment(token: bytes, content_type: str = "application/octet-stream") -> dict:
    return {
        "usageType": SIGNATURE_USAGE_TYPE,
        "display": {"en-US": "Signature"},
        "contentType": content_type,
        "length": len(token),
        "sha2": hashlib.sha256(token).hexdigest(),
    }
