"""Fixtures for hub tests: a migrated database, the app served over real HTTP on loopback, and credentials.

The database is SQLite in a temporary folder unless SKILLWIRE_TEST_DATABASE_URL names another one, such as
postgresql+psycopg://postgres@127.0.0.1:5432/skillwire_test; its tables are dropped and migrated anew.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace

import pytest
import requests
from sqlalchemy import create_engine, inspect, text
from werkzeug.serving import make_server

from hub.app import create_app
from hub.bootstrap import create_credential
from hub.config import load_settings
from hub.db import upgrade_database
from hub.models import Base
from hub.runtime import set_current
from hub.services.evidence import ensure_skills


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("SKILLWIRE_TEST_DATABASE_URL")
    if url:
        _drop_everything(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _drop_everything(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        if inspect(connection).has_table("alembic_version"):
            connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    base = load_settings({"SKILLWIRE_INSTANCE_DIR": str(tmp_path_factory.mktemp("instance"))})
    return replace(base, database_url=_database_url(tmp_path_factory), redis_url=None)


@pytest.fixture(scope="session")
def app(settings):
    upgrade_database(settings.database_url)
    application = create_app(settings)
    runtime = application.extensions["skillwire"]
    with runtime.sessions.begin() as session:
        ensure_skills(session, runtime.mappings)
    yield application
    runtime.close()


@pytest.fixture(scope="session")
def runtime(app):
    return app.extensions["skillwire"]


@pytest.fixture(autouse=True)
def current_runtime(request):
    """Point hub.runtime.current() at the test runtime before each test that uses it.

    In-process jobs look the runtime up there, and the CLI tests replace it with the runtime of their own
    database, so a later job would otherwise write to that database.
    """
    if "runtime" in request.fixturenames:
        set_current(request.getfixturevalue("runtime"))


class ServerErrorRecorder:
    """WSGI middleware that records every 5xx response but 503, so a test fails when the hub returned one."""

    def __init__(self, app):
        self.app = app
        self.errors: list[str] = []

    def __call__(self, environ, start_response):
        def recording_start_response(status, headers, exc_info=None):
            # 503 is the deliberate "busy, retry later" response. Every other 5xx is a failure.
            if status.startswith("5") and not status.startswith("503"):
                self.errors.append(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO')} -> {status}")
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)


@pytest.fixture(scope="session")
def server_errors(app) -> ServerErrorRecorder:
    return ServerErrorRecorder(app.wsgi_app)


@pytest.fixture(autouse=True)
def no_server_errors(request):
    """Fail any test during which the live server returned a 5xx status."""
    if "server_url" not in request.fixturenames:
        yield
        return

    recorder = request.getfixturevalue("server_errors")
    recorder.errors.clear()
    yield
    assert recorder.errors == [], f"the hub returned server errors: {recorder.errors}"


@pytest.fixture(scope="session")
def server_url(app, server_errors):
    """Serve the app with a real threaded WSGI server on a free loopback port."""
    app.wsgi_app = server_errors
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# Tables whose rows tests may change; skills are kept because the framework is loaded once per session.
DATA_TABLES = ["xapi_documents", "activity_definitions",
               "identity_conflicts", "scim_group_members", "scim_groups", "scim_user_emails", "scim_users",
               "evidence_changes", "evidence", "statement_agents", "statement_activities",
               "statement_ref_targets", "attachments", "statements",
               "employments", "person_identifiers", "people", "sync_runs", "connector_states", "audit_log",
               "credentials"]


@pytest.fixture
def clean_db(runtime):
    """Empty every data table before the test."""
    with runtime.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in DATA_TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
    return runtime


class Client(requests.Session):
    """A requests session bound to the test server, with credentials and an xAPI version header."""

    def __init__(self, base_url: str, key: str | None, secret: str | None, version: str | None = "1.0.3"):
        super().__init__()
        self.base_url = base_url
        if key is not None:
            self.auth = (key, secret)
        if version:
            self.headers["X-Experience-API-Version"] = version

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.base_url + url, *args, **kwargs)


@pytest.fixture
def make_client(server_url, runtime, clean_db):
    """Return a factory of clients, each with a new credential holding the given scopes."""

    def factory(*scopes: str, version: str | None = "1.0.3", name: str = "test client") -> Client:
        body = create_credential(runtime, name, scopes)
        client = Client(server_url, body["key"], body["secret"], version)
        client.credential = body
        return client

    return factory


@pytest.fixture
def client(make_client) -> Client:
    return make_client("all")
