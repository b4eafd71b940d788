"""HTTP Basic and Bearer authentication against stored credentials, and scope checks per resource."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
import unicodedata
from typing import Callable, Iterable

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Forbidden, Unauthorized
from .models import Credential

# xAPI scopes (xAPI 1.0.3 communication, section 4.2 "OAuth Authorization Scope") and the hub's own.
XAPI_SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "all/read",
    "all",
    "state",
    "define",
    "profile",
)
# "people/admin" allows merge, split and erasure of people; "scim" allows identity providers to push to /scim/v2.
HUB_SCOPES = ("evidence/read", "people/read", "people/write", "people/admin", "scim")
ALL_SCOPES = XAPI_SCOPES + HUB_SCOPES

# The size of the credentials.name column.
MAX_CREDENTIAL_NAME_LENGTH = 200


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_credential(name: str, scopes: Iterable[str]) -> tuple[Credential, str]:
    """Create a credential with a random key and secret; the plain secret is returned once and never stored.

    Raises ValueError for a name that is empty, longer than MAX_CREDENTIAL_NAME_LENGTH or has control
    characters, and for an unknown scope.
    """
    _check_credential_name(name)
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown or not scopes:
        raise ValueError(f"invalid scope {unknown or scopes!r}; use one or more of: {', '.join(ALL_SCOPES)}")

    secret = secrets.token_urlsafe(32)
    credential = Credential(key=secrets.token_hex(16), secret_hash=hash_secret(secret), name=name, scopes=scopes)
    return credential, secret


def _check_credential_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_CREDENTIAL_NAME_LENGTH:
        raise ValueError(f"invalid credential name: it has {len(name)} characters; "
                         f"use 1 to {MAX_CREDENTIAL_NAME_LENGTH}")
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise ValueError(f"invalid credential name {name!r}: it contains control characters; use printable text")


def bearer_token(key: str, secret: str) -> str:
    """Return the Bearer token of a credential: its key and secret joined by a dot.

    Keys are hex and secrets URL-safe base64, so neither contains a dot and the token splits unambiguously.
    """
    return f"{key}.{secret}"


def authenticate(session: Session, key: str, secret: str) -> Credential | None:
    """Return the unrevoked credential with this key and secret, or None.

    A credential verified in the last CREDENTIAL_CACHE_SECONDS comes from an in-process cache without a
    database query, so a client's stream of requests costs one credential lookup every few seconds.
    """
    secret_hash = hash_secret(secret)
    cached = _verified_credentials.get(key, secret_hash)
    if cached is not None:
        return cached

    credential = session.scalar(select(Credential).where(Credential.key == key, Credential.revoked_at.is_(None)))
    if credential is None:
        return None
    if not hmac.compare_digest(credential.secret_hash, secret_hash):
        return None
    _verified_credentials.put(key, secret_hash, credential)
    return credential


def current_credential() -> Credential:
    return g.credential


def require_scope(*accepted: str, allow_bearer: bool = False) -> Callable:
    """Let the request through when its credential has any of the ``accepted`` scopes.

    With ``allow_bearer`` the credential may also come as ``Authorization: Bearer KEY.SECRET`` (see
    bearer_token), as SCIM identity providers send it. The view finds the credential in ``g.credential``
    and its granted scopes in ``g.scopes``.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            credential = _credential_from_request(allow_bearer)
            granted = set(credential.scopes)
            if "all" not in granted and granted.isdisjoint(accepted):
                raise Forbidden(f"credential '{credential.name}' lacks a scope for this resource; "
                                f"it needs one of: {', '.join(accepted)}")

            g.credential = credential
            g.scopes = granted
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _credential_from_request(allow_bearer: bool = False) -> Credential:
    from flask import current_app

    auth = request.authorization
    if allow_bearer and auth is not None and auth.type == "bearer" and auth.token:
        key, _, secret = auth.token.partition(".")
    elif auth is not None and auth.type == "basic" and auth.username and auth.password is not None:
        key, secret = auth.username, auth.password
    elif allow_bearer:
        raise Unauthorized("Missing or invalid credentials: send Authorization: Bearer TOKEN or HTTP Basic "
                           "with a key and secret")
    else:
        raise Unauthorized()

    if not _KEY_PATTERN.fullmatch(key):
        # Keys are 32 hex digits; anything else is unknown without asking the database, which on PostgreSQL
        # cannot even compare a string holding NUL.
        raise Unauthorized("Invalid credentials: the key is unknown or revoked, or the secret does not match")

    with current_app.extensions["skillwire"].sessions() as session:
        credential = authenticate(session, key, secret)
    if credential is None:
        raise Unauthorized("Invalid credentials: the key is unknown or revoked, or the secret does not match")
    return credential


_KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


# ---------------------------------------------------------------------------------------------------------
# Cache of verified credentials

# NOTE: a revoked or changed credential keeps working in each web process for up to this many seconds,
# because the cache returns it without the database until its entry expires.
CREDENTIAL_CACHE_SECONDS = 5.0
CREDENTIAL_CACHE_MAX_ENTRIES = 1024


class VerifiedCredentialCache:
    """Credentials that passed the database check, by (key, secret hash), each kept for ``ttl`` seconds.

    Only successful checks are cached, so a new credential works at once and a wrong secret always reaches
    the database. Entries hold the secret's hash, never the secret.
    """

    def __init__(self, ttl: float, max_entries: int):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[float, Credential]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, secret_hash: str) -> Credential | None:
        entry = self._entries.get((key, secret_hash))
        if entry is None:
            return None
        expires_at, credential = entry
        if time.monotonic() >= expires_at:
            return None
        return credential

    def put(self, key: str, secret_hash: str, credential: Credential) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[(key, secret_hash)] = (now + self.ttl, credential)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_verified_credentials = VerifiedCredentialCache(CREDENTIAL_CACHE_SECONDS, CREDENTIAL_CACHE_MAX_ENTRIES)
