"""HTTP clients of the benchmark: concurrent batch posting and latency sampling."""

from __future__ import annotations

import base64
import http.client
import logging
import queue
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"


def basic_auth(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class Connection:
    """One persistent HTTP/1.1 connection with the credential and version headers set."""

    def __init__(self, base_url: str, authorization: str):
        parts = urlsplit(base_url)
        self.http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.headers = {"Authorization": authorization, "X-Experience-API-Version": XAPI_VERSION}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.http.close()


def post_batches(base_url: str, authorization: str, bodies: list[bytes], clients: int) -> float:
    """POST every pre-encoded batch with ``clients`` concurrent connections; return the seconds taken.

    Raises RuntimeError on the first response that is not 200.
    """
    pending: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    for body in bodies:
        pending.put(body)
    errors: list[str] = []

    def work() -> None:
        connection = Connection(base_url, authorization)
        try:
            while not errors:
                try:
                    body = pending.get_nowait()
                except queue.Empty:
                    return
                status, text = connection.request("POST", "/xapi/statements", body)
                if status != 200:
                    errors.append(f"POST /xapi/statements returned {status}: {text[:300]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"client-{index}") for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    if errors:
        raise RuntimeError(errors[0])
    return elapsed


@dataclass
class Latency:
    """Latency figures in milliseconds over a number of requests."""

    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples: list[float]) -> "Latency":
        ordered = sorted(samples)
        return cls(requests=len(ordered), p50_ms=round(_percentile(ordered, 50) * 1000, 2),
                   p95_ms=round(_percentile(ordered, 95) * 1000, 2), max_ms=round(ordered[-1] * 1000, 2))


def _percentile(ordered: list[float], percent: float) -> float:
    """Return the nearest-rank percentile of sorted values."""
    rank = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed_get(connection: Connection, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, body = connection.request("GET", path)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"GET {path} returned {status}: {body[:300]!r}")
    return elapsed, body


def sample_paths(connection: Connection, paths: list[str]) -> Latency:
    """GET each path once, after one untimed warm-up request, and return the latency figures."""
    timed_get(connection, paths[0])
    return Latency.of([timed_get(connection, path)[0] for path in paths])


def follow_more(connection: Connection, path: str, pages: int) -> list[float]:
    """Follow the statement result's ``more`` links from ``path``; return each page's seconds."""
    samples = []
    for _ in range(pages):
        elapsed, body = timed_get(connection, path)
        samples.append(elapsed)
        more = orjson.loads(body)["more"]
        if not more:
            break
        path = more
    return samples


def mean_ms(samples: list[float]) -> float:
    return round(statistics.fmean(samples) * 1000, 2)
