"""A write that waits past SQLite's lock timeout gets 503 with Retry-After, not a 500."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError


def test_locked_database_answers_503(client, app, runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("the write lock timeout is SQLite's")

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    original = app.view_functions["xapi.post_statements"]
    app.view_functions["xapi.post_statements"] = locked
    try:
        response = client.post("/xapi/statements", json={})
    finally:
        app.view_functions["xapi.post_statements"] = original

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "database_busy"
