"""Shared HTTP client for vendor connectors: timeouts, retries with backoff, typed errors, safe logs.

Every vendor module builds one HttpClient with its base URL and its own `requests` auth object.
The client never logs request headers, so the Authorization header and API keys stay out of logs,
and it removes credentials from every URL that it logs or puts into an error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Query parameters whose values are credentials in some vendor API (Moodle sends `wstoken`,
# others `api_key` or `access_token`). Matching is case-insensitive.
SECRET_QUERY_PARAMS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "client_secret",
        "key",
        "password",
        "secret",
        "sig",
        "signature",
        "token",
        "wstoken",
    }
)

RATE_LIMIT_HEADERS = (
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)

DEFAULT_TIMEOUT = (5.0, 60.0)
USER_AGENT = "skillwire-connector/0.1"


class ConnectorError(Exception):
    """A failed call to a source system.

    `reason` is machine-readable: auth_failed, forbidden, not_found, bad_request, client_error,
    rate_limited, server_error, timeout, connection_failed, request_failed, bad_response or
    page_limit. `retry_after` is the wait in seconds that the server asked for, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        status: int | None = None,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status
        self.url = url
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry 429, 5xx, timeouts and connection errors.

    The wait before retry n is backoff_base * 2 ** (n - 1) seconds, capped at max_wait, unless
    the server sent Retry-After. A Retry-After longer than max_wait ends the call at once with
    ConnectorError(reason="rate_limited", retry_after=...) so that the caller can reschedule.
    """

    max_attempts: int = 5
    backoff_base: float = 1.0
    max_wait: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Return the wait in seconds after failed attempt number `attempt` (1-based)."""
        return min(self.backoff_base * 2 ** (attempt - 1), self.max_wait)


def redact_url(url: str) -> str:
    """Return the URL without user info and with secret query values replaced by '***'."""
    parts = urlsplit(url)

    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"

    query_pairs = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SECRET_QUERY_PARAMS:
            value = "***"
        query_pairs.append((name, value))

    query = urlencode(query_pairs, safe="*:,")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header, given in seconds or as an HTTP date, into seconds from now.

    Returns None when the header is absent or unreadable, and 0 for a date in the past.
    """
    if value is None:
        return None

    text = value.strip()
    if text.isdigit():
        return float(text)

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None

    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)

    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def paginate(
    fetch_page: Callable[[Hashable | None], tuple[Sequence[T], Hashable | None]],
    *,
    max_pages: int = 1000,
    url: str | None = None,
) -> Iterator[T]:
    """Yield the items of every page that `fetch_page(cursor)` returns, starting with cursor None.

    `fetch_page` returns (items, next_cursor), where a None or empty next_cursor ends the listing.
    Raises ConnectorError with reason page_limit after max_pages pages, and with reason
    bad_response when the source hands back a cursor it has already returned, which would loop.
    """
    cursor: Hashable | None = None
    seen_cursors: set[Hashable] = set()

    for _ in range(max_pages):
        items, next_cursor = fetch_page(cursor)
        yield from items

        if next_cursor is None or next_cursor == "":
            return

        if next_cursor in seen_cursors:
            raise ConnectorError(
                f"pagination returned the cursor {next_cursor!r} twice; the source would loop",
                reason="bad_response",
                url=url,
            )

        seen_cursors.add(next_cursor)
        cursor = next_cursor

    raise ConnectorError(
        f"stopped after {max_pages} pages; raise max_pages if the source really has more",
        reason="page_limit",
        url=url,
    )


class HttpClient:
    """A requests.Session bound to one vendor's base URL, with timeouts, retries and typed errors.

    `auth` is any `requests` auth object that the vendor module supplies. `sleep` is called for
    every wait between attempts, so tests pass a function that records the waits instead.
    `error_detail_headers` names response headers that carry the vendor's error text, which is
    added to ConnectorError messages.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: requests.auth.AuthBase | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        error_detail_headers: Sequence[str] = (),
    ) -> None:
        if retry.max_attempts < 1:
            raise ValueError(f"retry.max_attempts must be at least 1, got {retry.max_attempts}")

        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.error_detail_headers = tuple(error_detail_headers)

        self.session = session or requests.Session()
        self.session.auth = auth
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        if headers:
            self.session.headers.update(headers)

    def url_for(self, path: str) -> str:
        """Join a path to the base URL, ignoring a leading slash so the base path is kept."""
        return urljoin(self.base_url, path.lstrip("/"))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send a request, retrying per the RetryPolicy, and return the first 2xx or 3xx response.

        `data` is sent as an application/x-www-form-urlencoded body. It is never logged, so it may
        carry credentials. Every method is retried, POST included, so send only requests that are
        safe to repeat. Raises ConnectorError for any other outcome.
        """
        url = self.url_for(path)
        safe_url = redact_url(requests.Request(method, url, params=params).prepare().url or url)

        for attempt in range(1, self.retry.max_attempts + 1):
            outcome, retry_after = self._attempt(method, url, safe_url, params, json, data, headers)
            if isinstance(outcome, requests.Response):
                return outcome

            failure = outcome

            if attempt == self.retry.max_attempts:
                logger.warning("%s %s failed after %d attempts: %s", method, safe_url, attempt, failure.reason)
                raise failure

            delay = self._delay_before_retry(attempt, retry_after, failure, method, safe_url)
            logger.warning(
                "%s %s: %s, retrying in %.1f s (attempt %d of %d)",
                method,
                safe_url,
                failure.reason,
                delay,
                attempt + 1,
                self.retry.max_attempts,
            )
            self.sleep(delay)

        raise AssertionError("unreachable: the retry loop returns or raises")

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path and return its decoded JSON body."""
        return decode_json(self.request("GET", path, params=params))

    def post_json(self, path: str, body: Any, *, params: Mapping[str, Any] | None = None) -> Any:
        """POST a JSON body and return the decoded JSON response."""
        return decode_json(self.request("POST", path, params=params, json=body))

    def post_form(self, path: str, fields: Mapping[str, Any]) -> Any:
        """POST a form-encoded body and return the decoded JSON response."""
        return decode_json(self.request("POST", path, data=fields))

    def _attempt(
        self,
        method: str,
        url: str,
        safe_url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> tuple[requests.Response | ConnectorError, float | None]:
        """Send once, and return the response on success, else the retryable error and any Retry-After.

        A non-retryable failure is raised here instead of returned.
        """
        # A requests exception text can repeat the full URL, secrets included, so the errors below
        # name only the exception type and cut the chain.
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            return ConnectorError(
                f"{method} {safe_url} timed out ({type(exc).__name__})", reason="timeout", url=safe_url
            ), None
        except requests.ConnectionError as exc:
            return ConnectorError(
                f"{method} {safe_url} failed to connect ({type(exc).__name__})",
                reason="connection_failed",
                url=safe_url,
            ), None
        except requests.RequestException as exc:
            raise ConnectorError(
                f"{method} {safe_url} failed ({type(exc).__name__})", reason="request_failed", url=safe_url
            ) from None

        self._log_response(method, safe_url, response)
        if response.status_code < 400:
            return response, None

        error = self._error_for_response(method, safe_url, response)
        if not _is_retryable(response.status_code):
            raise error

        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error, error.retry_after

    def _delay_before_retry(
        self,
        attempt: int,
        retry_after: float | None,
        failure: ConnectorError,
        method: str,
        safe_url: str,
    ) -> float:
        """Return the wait in seconds before the next attempt.

        Raises `failure` instead when the server's Retry-After is longer than max_wait.
        """
        if retry_after is None:
            return self.retry.backoff(attempt)

        if retry_after > self.retry.max_wait:
            logger.warning(
                "%s %s: server requested a wait of %.0f s, more than max_wait %.0f s; giving up",
                method,
                safe_url,
                retry_after,
                self.retry.max_wait,
            )
            raise failure

        return retry_after

    def _log_response(self, method: str, safe_url: str, response: requests.Response) -> None:
        rate_limits = {
            name: response.headers[name] for name in RATE_LIMIT_HEADERS if name in response.headers
        }
        level = logging.WARNING if response.status_code >= 400 else logging.DEBUG
        logger.log(level, "%s %s -> %d %s", method, safe_url, response.status_code, rate_limits or "")

    def _error_for_response(self, method: str, safe_url: str, response: requests.Response) -> ConnectorError:
        status = response.status_code
        reason, advice = _classify_status(status)

        details = [response.headers[name] for name in self.error_detail_headers if response.headers.get(name)]
        detail_text = f" ({'; '.join(details)})" if details else ""

        return ConnectorError(
            f"{method} {safe_url} returned HTTP {status}{detail_text}: {advice}",
            reason=reason,
            status=status,
            url=safe_url,
        )


def decode_json(response: requests.Response) -> Any:
    """Return the decoded JSON body of a response, raising ConnectorError(reason="bad_response") for invalid JSON."""
    safe_url = redact_url(response.url or "")
    try:
        return response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type", "no content type")
        raise ConnectorError(
            f"{response.request.method if response.request else 'GET'} {safe_url} returned a body that "
            f"is not valid JSON ({content_type}, {len(response.content)} bytes)",
            reason="bad_response",
            status=response.status_code,
            url=safe_url,
        ) from None


def _is_retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _classify_status(status: int) -> tuple[str, str]:
    """Return (reason, advice) for an HTTP error status."""
    if status == 401:
        return "auth_failed", "authentication failed; check the API key or credentials"
    if status == 403:
        return "forbidden", "access denied; give the credential permission for this resource"
    if status == 404:
        return "not_found", "resource not found; check the ID or the base URL"
    if status == 429:
        return "rate_limited", "rate limit exceeded; retry later or lower the sync frequency"
    if status in (400, 422):
        return "bad_request", "the source rejected the request parameters"
    if status >= 500:
        return "server_error", "the source had a server error; retry later"
    return "client_error", "the source rejected the request"
