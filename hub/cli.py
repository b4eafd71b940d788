"""The ``skillwire`` command: run the hub, migrate the database, manage credentials, import and sync."""

from __future__ import annotations

import json
import logging
import signal
import sys

import click

from sqlalchemy.exc import OperationalError

from .auth import CREDENTIAL_CACHE_SECONDS
from .config import SYNC_CONNECTORS, ConfigError, create_instance_dir, load_settings

log = logging.getLogger(__name__)


class HubGroup(click.Group):
    """A command group that turns a configuration or database error into a message, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            log.debug("database error", exc_info=True)
            raise click.ClickException(database_error_message(error)) from None


def database_error_message(error: OperationalError) -> str:
    """Describe a database error in one line, naming SKILLWIRE_DATABASE_URL when the connection failed."""
    reason = " ".join(str(error.orig).split())
    if error.statement is None:
        return (f"SKILLWIRE_DATABASE_URL: cannot connect to the database ({reason}); check the host, port, "
                "user, password and database name in the URL, and that the database server runs and the "
                "database exists")
    if "no such table" in reason or "does not exist" in reason and "relation" in reason:
        return (f"database error ({reason}): the database has no Skillwire tables yet. Run `skillwire db "
                "upgrade`, and check that SKILLWIRE_DATABASE_URL, or SKILLWIRE_INSTANCE_DIR (default ./instance, "
                "relative to the current folder), names the database you mean")
    return f"database error ({reason}); try again, and check the database if it persists"


@click.group(cls=HubGroup)
def main() -> None:
    """Skillwire: an xAPI learning record store and skill evidence hub."""


def _settings():
    settings = load_settings()
    create_instance_dir(settings)
    return settings


def _runtime():
    from .logs import configure_logging
    from .runtime import Runtime, set_current

    settings = _settings()
    configure_logging(settings.log_level, settings.log_json)
    runtime = Runtime.from_settings(settings)
    set_current(runtime)
    return runtime


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: SKILLWIRE_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="TCP port (default: SKILLWIRE_PORT or 8000).")
def run(host: str | None, port: int | None) -> None:
    """Migrate the database, create a first credential if there is none, and serve the hub."""
    from werkzeug.serving import run_simple

    from .app import create_app
    from .bootstrap import prepare_database

    settings = _settings()
    app = create_app(settings)
    prepare_database(app.extensions["skillwire"], announce=click.echo)

    host, port = host or settings.host, port or settings.port
    _start_sweeper(settings)
    # Werkzeug stops cleanly on KeyboardInterrupt, so SIGTERM (a service manager's stop) takes that path too.
    signal.signal(signal.SIGTERM, _interrupt)
    click.echo(f"Skillwire listening on http://{host}:{port} (xAPI endpoint http://{host}:{port}/xapi/)")
    log.info("server started: host=%s port=%s", host, port)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        app.extensions["skillwire"].close()
        log.info("server stopped: host=%s port=%s", host, port)


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _start_sweeper(settings) -> None:
    from .sweeper import Sweeper

    if settings.sweep_seconds:
        Sweeper(settings.sweep_seconds).start()


@main.command()
@click.option("--fork", is_flag=True,
              help="Run each job in a new child process (RQ's forking Worker), so a crash or a memory leak in "
                   "one job cannot reach the next. Each job then also opens its own database connection.")
def worker(fork: bool) -> None:
    """Run an RQ worker for the hub's jobs (needs SKILLWIRE_REDIS_URL).

    By default jobs run in the worker process itself and share its database connection pool. A mapping job
    is a few queries, and forking plus connecting for each of them cost more CPU than the job.
    """
    from .jobs import worker_classes

    runtime = _runtime()
    if runtime.settings.redis_url is None:
        raise click.ClickException("SKILLWIRE_REDIS_URL is not set. Without Redis, jobs run inside the web process")
    _start_sweeper(runtime.settings)
    forking_class, simple_class = worker_classes()
    worker_class = forking_class if fork else simple_class
    log.info("worker starting: class=%s queue=%s", worker_class.__name__, runtime.jobs.queue.name)
    worker_class([runtime.jobs.queue], connection=runtime.jobs.connection).work(with_scheduler=True)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    from .db import upgrade_database

    runtime = _runtime()
    upgrade_database(runtime.settings.database_url, revision)
    click.echo(f"database upgraded to {revision}")


@main.group()
def credentials() -> None:
    """API credentials."""


@credentials.command("create")
@click.option("--name", required=True, help="A label for the client that uses the credential.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="A scope to grant, such as statements/write or all; repeat for several.")
def credentials_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a credential and print its key and secret as JSON; the secret is shown only once.

    A credential with scope scim also gets a "token" for identity providers, sent as Authorization: Bearer.
    """
    from .bootstrap import create_credential

    runtime = _runtime()
    try:
        body = create_credential(runtime, name, scopes)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(body))


@credentials.command("list")
def credentials_list() -> None:
    """Print every credential as JSON: name, key, scopes, created_at and revoked_at, never the secret."""
    from .bootstrap import list_credentials

    click.echo(json.dumps(list_credentials(_runtime()), indent=2))


@credentials.command("revoke", help=(
    "Revoke the credential with key KEY and print it as JSON. Revoking an already revoked credential "
    f"changes nothing. A web process that verified the credential in the last {CREDENTIAL_CACHE_SECONDS:g} "
    "seconds accepts it until its cached check expires."))
@click.argument("key")
def credentials_revoke(key: str) -> None:
    from .bootstrap import revoke_credential

    body = revoke_credential(_runtime(), key)
    if body is None:
        raise click.ClickException(f"credential '{key}' not found; list the keys with: skillwire credentials list")
    click.echo(json.dumps(body, indent=2))


@main.group()
def people() -> None:
    """People from HR systems."""


@people.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def people_import(path: str) -> None:
    """Import employees from a UTF-8 CSV file and print the sync run as JSON.

    The import commits every few hundred rows, so when it stops with an error the rows before it stay imported.
    """
    from .bootstrap import UnreadableFile, import_people_file

    runtime = _runtime()
    try:
        body = import_people_file(runtime, path)
    except UnreadableFile as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(body, indent=2))
    if body["failed"]:
        sys.exit(1)


@main.group("import")
def import_group() -> None:
    """Bulk imports."""


def _resolve_xapi_version(_context, _parameter, value: str) -> str:
    from xapi.errors import UnsupportedVersion
    from xapi.versions import resolve_version

    try:
        return resolve_version(value)
    except UnsupportedVersion:
        raise click.BadParameter(f"unsupported xAPI version {value!r}: use 1.0.3 or 2.0.0 (any 1.0.x or 2.0.x "
                                 "is read as these)") from None


@import_group.command("statements")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--xapi-version", default="1.0.3", show_default=True, callback=_resolve_xapi_version,
              help="xAPI version the file follows: 1.0.3 or 2.0.0 (any 1.0.x or 2.0.x is read as these).")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="Statements stored per transaction.")
def import_statements(path: str, xapi_version: str, batch_size: int) -> None:
    """Store statements from a JSON Lines file through the same path as HTTP.

    Prints one tab-separated line per input line: line number, accepted/unchanged/conflict/rejected, statement
    id, and the reason. Exits with 0 when every line was stored or already stored, 1 when any line was
    rejected or conflicted.
    """
    from .importer import import_statements_file

    runtime = _runtime()
    summary = import_statements_file(runtime, path, xapi_version, batch_size, click.echo)
    click.echo(json.dumps(summary), err=True)
    if summary["rejected"] or summary["conflict"]:
        sys.exit(1)


@main.command()
@click.argument("connector", type=click.Choice(SYNC_CONNECTORS))
@click.option("--full", is_flag=True, help="Ignore the stored cursor and read every employee.")
def sync(connector: str, full: bool) -> None:
    """Run one sync of an HR connector now and print the sync run as JSON."""
    from .sync import run_sync

    runtime = _runtime()
    body = run_sync(runtime, connector, full=full)
    click.echo(json.dumps(body, indent=2))
    if body["status"] != "succeeded":
        sys.exit(1)


@main.command()
@click.option("--once", is_flag=True, help="Enqueue the syncs that are due now, then exit (for cron).")
@click.option("--poll-seconds", default=60, show_default=True, type=click.IntRange(1),
              help="Seconds between checks for due syncs.")
def scheduler(once: bool, poll_seconds: int) -> None:
    """Enqueue HR syncs as SKILLWIRE_SYNC_SCHEDULE makes them due.

    With SKILLWIRE_REDIS_URL the syncs run on RQ workers (skillwire worker); without it they run
    one after another inside this process. Run one scheduler per deployment.
    """
    import signal
    import threading

    from .sync import SyncScheduler, build_client

    runtime = _runtime()
    schedule = runtime.settings.sync_schedule
    if not schedule:
        raise click.ClickException("SKILLWIRE_SYNC_SCHEDULE is empty; set it, for example bamboohr=3600,personio=86400")
    for connector in schedule:
        build_client(runtime.settings, connector)

    sync_scheduler = SyncScheduler(runtime)
    if once:
        click.echo(json.dumps({"enqueued": sync_scheduler.tick()}))
        return

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        sync_scheduler.run(poll_seconds, stop)
    except KeyboardInterrupt:
        stop.set()


@main.command("map-pending")
def map_pending() -> None:
    """Map every statement still waiting for evidence mapping (after a failure or a restart)."""
    from .jobs import map_pending_statements_job

    _runtime()
    created = map_pending_statements_job()
    click.echo(json.dumps({"evidence_created": created}))
