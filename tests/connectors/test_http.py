"""Tests of the shared connector HTTP client against a mocked HTTP layer."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
import requests
from responses import matchers

from connectors.http import (
    ConnectorError,
    HttpClient,
    RetryPolicy,
    paginate,
    parse_retry_after,
    redact_url,
)

BASE = "https://vendor.example.com/api/v2/"


@pytest.fixture
def client(record_sleep) -> HttpClient:
    return HttpClient(
        BASE,
        auth=requests.auth.HTTPBasicAuth("user", "pass"),
        timeout=(2.0, 9.0),
        retry=RetryPolicy(max_attempts=4, backoff_base=0.5, max_wait=30.0),
        sleep=record_sleep,
        error_detail_headers=("X-Error",),
    )


def test_redact_url_hides_query_secrets():
    url = "https://bob:hunter2@lms.example.com/webservice/rest/server.php?wstoken=abc123&wsfunction=core_get&API_KEY=k"

    redacted = redact_url(url)

    assert "abc123" not in redacted
    assert "hunter2" not in redacted
    assert "bob" not in redacted
    assert "API_KEY=***" in redacted
    assert "wsfunction=core_get" in redacted


def test_parse_retry_after_forms():
    now = datetime(2024, 1, 31, 12, 0, 0, tzinfo=timezone.utc)

    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 31 Jan 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 31 Jan 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_request_sends_timeout_and_accept(client, mocked_http):
    mocked_http.get(BASE + "items", json={"ok": True})

    assert client.get_json("items") == {"ok": True}

    call = mocked_http.calls[0]
    assert call.request.req_kwargs["timeout"] == (2.0, 9.0)
    assert call.request.headers["Accept"] == "application/json"


def test_backoff_doubles_until_success(client, mocked_http, waits):
    for status in (500, 502, 504):
        mocked_http.get(BASE + "items", status=status)
    mocked_http.get(BASE + "items", json=[1, 2])

    assert client.get_json("items") == [1, 2]
    assert waits == [0.5, 1.0, 2.0]


def test_retry_after_http_date_honoured(client, mocked_http, waits):
    in_ten_seconds = datetime.now(timezone.utc).timestamp() + 10
    retry_at = datetime.fromtimestamp(in_ten_seconds, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    mocked_http.get(BASE + "items", status=429, headers={"Retry-After": retry_at})
    mocked_http.get(BASE + "items", json=[])

    client.get_json("items")

    assert len(waits) == 1
    assert 7.0 <= waits[0] <= 10.0


def test_retry_after_beyond_max_wait_gives_up(client, mocked_http, waits):
    mocked_http.get(BASE + "items", status=429, headers={"Retry-After": "3600"})

    with pytest.raises(ConnectorError) as caught:
        client.get_json("items")

    assert caught.value.reason == "rate_limited"
    assert caught.value.retry_after == 3600.0
    assert waits == []
    assert len(mocked_http.calls) == 1


def test_timeouts_retried_then_reported(client, mocked_http, waits):
    mocked_http.get(BASE + "items", body=requests.ReadTimeout("read timed out"))

    with pytest.raises(ConnectorError) as caught:
        client.get_json("items")

    assert caught.value.reason == "timeout"
    assert len(mocked_http.calls) == 4
    assert waits == [0.5, 1.0, 2.0]


def test_connection_error_then_success(client, mocked_http):
    mocked_http.get(BASE + "items", body=requests.ConnectionError("connection refused"))
    mocked_http.get(BASE + "items", json={"n": 1})

    assert client.get_json("items") == {"n": 1}


def test_not_found_is_not_retried(client, mocked_http, waits):
    mocked_http.get(BASE + "items/9", status=404, headers={"X-Error": "No such item"})

    with pytest.raises(ConnectorError) as caught:
        client.get_json("items/9")

    assert caught.value.reason == "not_found"
    assert caught.value.status == 404
    assert caught.value.url == BASE + "items/9"
    assert "No such item" in str(caught.value)
    assert waits == []


def test_forbidden_reason(client, mocked_http):
    mocked_http.get(BASE + "items", status=403)

    with pytest.raises(ConnectorError) as caught:
        client.get_json("items")

    assert caught.value.reason == "forbidden"


def test_invalid_json_is_bad_response(client, mocked_http):
    mocked_http.get(BASE + "items", body="<html>maintenance</html>", content_type="text/html")

    with pytest.raises(ConnectorError) as caught:
        client.get_json("items")

    assert caught.value.reason == "bad_response"
    assert "text/html" in str(caught.value)


def test_post_json_sends_body(client, mocked_http):
    mocked_http.post(
        BASE + "search",
        json={"hits": 0},
        match=[matchers.json_params_matcher({"q": "x"}), matchers.query_param_matcher({"page": "1"})],
    )

    assert client.post_json("search", {"q": "x"}, params={"page": 1}) == {"hits": 0}


def test_response_log_redacts_and_reports_rate_limits(client, mocked_http, caplog):
    mocked_http.get(
        BASE + "items",
        json=[],
        headers={"X-RateLimit-Remaining": "41", "X-RateLimit-Limit": "100"},
    )
    caplog.set_level(logging.DEBUG, logger="connectors.http")

    client.get_json("items", params={"token": "s3cr3t-value", "page": 2})

    assert "s3cr3t-value" not in caplog.text
    assert "token=***" in caplog.text
    assert "-> 200" in caplog.text
    assert "X-RateLimit-Remaining" in caplog.text
    assert "'41'" in caplog.text


def test_zero_attempts_rejected():
    with pytest.raises(ValueError):
        HttpClient(BASE, retry=RetryPolicy(max_attempts=0))


def test_paginate_follows_cursors():
    pages = {None: ([1, 2], "b"), "b": ([3], "c"), "c": ([4], None)}

    assert list(paginate(lambda cursor: pages[cursor])) == [1, 2, 3, 4]


def test_paginate_stops_at_page_limit():
    def endless(cursor):
        return [cursor], (cursor or 0) + 1

    with pytest.raises(ConnectorError) as caught:
        list(paginate(endless, max_pages=3))

    assert caught.value.reason == "page_limit"


def test_paginate_rejects_repeated_cursor():
    pages = {None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")}

    with pytest.raises(ConnectorError) as caught:
        list(paginate(lambda cursor: pages[cursor]))

    assert caught.value.reason == "bad_response"
