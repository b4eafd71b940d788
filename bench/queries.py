"""Query latency at a given number of stored statements: statement filters, paging and the evidence feed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import orjson

from .client import Connection, Latency, follow_more, mean_ms, sample_paths, timed_get
from .generate import VERBS, VERB_WEIGHTS, Population

STATEMENTS_PATH = "/xapi/statements"
EVIDENCE_PATH = "/api/v1/evidence"
# Statements per page that the queries ask for; without limit the hub returns its maximum page (1000 by default).
PAGE_LIMIT = 100


def statement_filter_paths(population: Population, registrations: list[str], history: tuple[datetime, datetime],
                           samples: int, seed: int) -> dict[str, list[str]]:
    """Return, per filter name, ``samples`` GET paths with values drawn from the stored data."""
    rng = random.Random(f"queries-{seed}")
    start, end = history

    def paths(make) -> list[str]:
        return [f"{STATEMENTS_PATH}?{urlencode({**make(), 'limit': PAGE_LIMIT})}" for _ in range(samples)]

    def agent() -> dict:
        actor = rng.choice(population.actors)
        ifi = {key: actor[key] for key in ("mbox", "account") if key in actor}
        return {"agent": orjson.dumps(ifi).decode()}

    def since() -> dict:
        moment = start + (end - start) * rng.random()
        return {"since": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}

    return {
        "no filter, no limit": [STATEMENTS_PATH] * samples,
        "no filter": paths(dict),
        "agent": paths(agent),
        "verb": paths(lambda: {"verb": rng.choices(VERBS, VERB_WEIGHTS)[0]}),
        "activity": paths(lambda: {"activity": rng.choice(population.modules)[2]}),
        "registration": paths(lambda: {"registration": rng.choice(registrations)}),
        "since": paths(since),
        "related_activities": paths(lambda: {"activity": rng.choice(population.courses),
                                             "related_activities": "true"}),
    }


def measure_statement_queries(connection: Connection, filter_paths: dict[str, list[str]]) -> dict[str, dict]:
    """Return p50, p95 and max latency per filter, and how many statements the first path returned."""
    results = {}
    for name, paths in filter_paths.items():
        latency = sample_paths(connection, paths)
        _, body = timed_get(connection, paths[0])
        results[name] = {**vars(latency), "first_page_statements": len(orjson.loads(body)["statements"])}
    return results


def measure_paging(connection: Connection, population: Population, pages: int, seed: int) -> dict[str, dict]:
    """Follow ``more`` through ``pages`` pages for three queries; compare the first and last pages' cost."""
    rng = random.Random(f"paging-{seed}")
    starts = {
        "no filter": f"{STATEMENTS_PATH}?limit={PAGE_LIMIT}",
        "verb": f"{STATEMENTS_PATH}?{urlencode({'verb': VERBS[0], 'limit': PAGE_LIMIT})}",
        "related_activities": f"{STATEMENTS_PATH}?" + urlencode({"activity": rng.choice(population.courses),
                                                                 "related_activities": "true",
                                                                 "limit": PAGE_LIMIT}),
    }
    results = {}
    for name, path in starts.items():
        follow_more(connection, path, 1)
        samples = follow_more(connection, path, pages)
        window = max(1, min(5, len(samples) // 2))
        latency = vars(Latency.of(samples))
        results[name] = {**latency, "pages": len(samples), "first_pages_mean_ms": mean_ms(samples[:window]),
                         "last_pages_mean_ms": mean_ms(samples[-window:])}
    return results


def measure_evidence_feed(connection: Connection, last_seq: int, samples: int, seed: int) -> dict[str, dict]:
    """Return feed latency from random cursors and with ``since``, at the default and a small page size."""
    rng = random.Random(f"feed-{seed}")
    base = datetime.now(timezone.utc) - timedelta(hours=1)
    cursors = [rng.randint(0, max(last_seq - 1, 0)) for _ in range(samples)]
    since = base.isoformat()
    return {
        "feed cursor (limit 500)": vars(sample_paths(connection, [f"{EVIDENCE_PATH}?cursor={c}" for c in cursors])),
        "feed cursor (limit 100)": vars(sample_paths(connection, [f"{EVIDENCE_PATH}?cursor={c}&limit=100"
                                                                  for c in cursors])),
        "feed since (limit 100)": vars(sample_paths(connection, [
            f"{EVIDENCE_PATH}?{urlencode({'since': since, 'cursor': c, 'limit': 100})}" for c in cursors])),
    }

