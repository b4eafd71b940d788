"""The sweeper maps statements whose mapping job never ran."""

from __future__ import annotations

import time

from hub.models import Evidence, PendingMapping
from hub.services.statements import Writer, store_statements
from hub.sweeper import Sweeper

COMPLETED_COURSE = {
    "actor": {"mbox": "mailto:sweep@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://www.example.org/course/view.php?id=1"},
    "context": {"platform": "Moodle"},
}


def test_sweeper_maps_pending_statements(clean_db):
    runtime = clean_db
    writer = Writer(credential_id=None, authority={"objectType": "Agent", "mbox": "mailto:test@example.com"})
    with runtime.sessions.begin() as session:
        store_statements(session, [COMPLETED_COURSE], "1.0.3", writer)

    sweeper = Sweeper(interval=0.05)
    sweeper.start()
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            with runtime.sessions() as session:
                if session.query(PendingMapping).count() == 0:
                    break
            time.sleep(0.05)
    finally:
        sweeper.stop()

    with runtime.sessions() as session:
        assert session.query(PendingMapping).count() == 0
        assert session.query(Evidence).count() == 1
