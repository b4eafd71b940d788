"""Settings read from ``SKILLWIRE_*`` environment variables and validated at start."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


class ConfigError(Exception):
    """A setting is missing or invalid. The message names the variable and the fix."""


DEFAULT_INSTANCE_DIR = Path.cwd() / "instance"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    host: str
    port: int
    public_url: str
    instance_dir: Path
    mappings_dir: Path | None
    account_homepages: Mapping[str, str] = field(default_factory=dict)
    max_body_bytes: int = 20 * 1024 * 1024
    max_batch_statements: int = 1000
    max_page_size: int = 1000
    log_level: str = "INFO"
    log_json: bool = False
    queue_name: str = "skillwire"
    # Seconds between sweeps that map statements whose mapping job was lost; 0 turns the sweeper off.
    sweep_seconds: int = 60
    bamboohr_subdomain: str | None = None
    bamboohr_api_key: str | None = field(default=None, repr=False)
    # Extra BambooHR fields read as person identifiers, such as {"customLMSUsername": "lms_username"}.
    bamboohr_identifier_fields: Mapping[str, str] = field(default_factory=dict)
    personio_client_id: str | None = None
    personio_client_secret: str | None = field(default=None, repr=False)
    personio_base_url: str = "https://api.personio.de/v1/"
    # Personio API generation to sync from: "v1" (company/employees) or "v2" (persons and employments).
    personio_api_version: str = "v1"
    # Personio attribute keys read as person identifiers, such as {"dynamic_1146702": "lms_username"}.
    personio_identifier_attributes: Mapping[str, str] = field(default_factory=dict)
    hibob_service_user_id: str | None = None
    hibob_service_user_token: str | None = field(default=None, repr=False)
    hibob_base_url: str = "https://api.hibob.com/v1/"
    # HiBob field paths read as person identifiers, such as {"/work/custom/lmsUsername": "lms_username"}.
    hibob_identifier_fields: Mapping[str, str] = field(default_factory=dict)
    hibob_webhook_secret: str | None = field(default=None, repr=False)
    workday_report_url: str | None = None
    workday_username: str | None = None
    workday_password: str | None = field(default=None, repr=False)
    # PersonRecord field -> report column, overriding connectors.workday.DEFAULT_FIELD_MAP entries.
    workday_field_map: Mapping[str, str] = field(default_factory=dict)
    # The report prompt that takes the cursor time for incremental syncs; None reads the whole report.
    workday_since_param: str | None = None
    # Connector name -> seconds between scheduled syncs; a connector not listed is never scheduled.
    sync_schedule: Mapping[str, int] = field(default_factory=dict)
    # Attempts per vendor request and the first wait between them, in seconds (doubled per retry).
    sync_retry_attempts: int = 5
    sync_backoff_seconds: float = 1.0

    @property
    def jobs_in_process(self) -> bool:
        return self.redis_url is None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment, raising ConfigError on the first invalid variable."""
    env = os.environ if environ is None else environ

    instance_dir = Path(env.get("SKILLWIRE_INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)
    database_url = env.get("SKILLWIRE_DATABASE_URL") or default_database_url(instance_dir)
    _check_database_url(database_url, explicit=bool(env.get("SKILLWIRE_DATABASE_URL")))
    if database_url == default_database_url(instance_dir):
        _check_instance_dir(instance_dir)

    redis_url = env.get("SKILLWIRE_REDIS_URL") or None
    if redis_url is not None:
        _check_redis_url(redis_url)

    host = env.get("SKILLWIRE_HOST", "127.0.0.1")
    port = _int(env, "SKILLWIRE_PORT", 8000, minimum=1, maximum=65535)
    public_url = env.get("SKILLWIRE_PUBLIC_URL") or f"http://{host}:{port}"
    _check_url("SKILLWIRE_PUBLIC_URL", public_url, ("http", "https"))

    mappings_dir = env.get("SKILLWIRE_MAPPINGS_DIR")
    if mappings_dir and not Path(mappings_dir).is_dir():
        raise ConfigError(f"SKILLWIRE_MAPPINGS_DIR: '{mappings_dir}' is not a directory; point it at a folder of mapping files")

    # xAPI 1.0.3 communication 2.1.3: a query without limit, or with limit=0, gets the server maximum.
    max_page_size = _int(env, "SKILLWIRE_MAX_PAGE_SIZE", 1000, minimum=1)

    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        host=host,
        port=port,
        public_url=public_url.rstrip("/"),
        instance_dir=instance_dir,
        mappings_dir=Path(mappings_dir) if mappings_dir else None,
        account_homepages=_account_homepages(env.get("SKILLWIRE_ACCOUNT_HOMEPAGES", "")),
        max_body_bytes=_int(env, "SKILLWIRE_MAX_BODY_BYTES", 20 * 1024 * 1024, minimum=1024),
        max_batch_statements=_int(env, "SKILLWIRE_MAX_BATCH_STATEMENTS", 1000, minimum=1),
        max_page_size=max_page_size,
        log_level=_choice(env, "SKILLWIRE_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        log_json=_bool(env, "SKILLWIRE_LOG_JSON", False),
        queue_name=env.get("SKILLWIRE_QUEUE", "skillwire"),
        sweep_seconds=_int(env, "SKILLWIRE_SWEEP_SECONDS", 60, minimum=0),
        bamboohr_subdomain=_bamboohr_subdomain(env.get("SKILLWIRE_BAMBOOHR_SUBDOMAIN") or None),
        bamboohr_api_key=env.get("SKILLWIRE_BAMBOOHR_API_KEY") or None,
        bamboohr_identifier_fields=_pairs("SKILLWIRE_BAMBOOHR_IDENTIFIER_FIELDS",
                                          env.get("SKILLWIRE_BAMBOOHR_IDENTIFIER_FIELDS", ""),
                                          "customLMSUsername=lms_username"),
        **_connector_settings(env),
    )


# Connectors that sync runs and SKILLWIRE_SYNC_SCHEDULE accept.
SYNC_CONNECTORS = ("bamboohr", "personio", "hibob", "workday")

# Values of SKILLWIRE_PERSONIO_API_VERSION.
PERSONIO_API_VERSIONS = ("v1", "v2")

# Scheduled syncs closer together than this would mostly re-read unchanged data.
MIN_SYNC_INTERVAL_SECONDS = 60


def _connector_settings(env: Mapping[str, str]) -> dict:
    """Read the Personio, HiBob, Workday and sync schedule variables into Settings fields."""
    personio_base_url = env.get("SKILLWIRE_PERSONIO_BASE_URL") or "https://api.personio.de/v1/"
    _check_url("SKILLWIRE_PERSONIO_BASE_URL", personio_base_url, ("http", "https"))
    personio_api_version = env.get("SKILLWIRE_PERSONIO_API_VERSION") or "v1"
    if personio_api_version not in PERSONIO_API_VERSIONS:
        raise ConfigError(f"SKILLWIRE_PERSONIO_API_VERSION: invalid value '{personio_api_version}'; "
                          f"use one of {', '.join(PERSONIO_API_VERSIONS)}")
    hibob_base_url = env.get("SKILLWIRE_HIBOB_BASE_URL") or "https://api.hibob.com/v1/"
    _check_url("SKILLWIRE_HIBOB_BASE_URL", hibob_base_url, ("http", "https"))
    workday_report_url = env.get("SKILLWIRE_WORKDAY_REPORT_URL") or None
    if workday_report_url is not None:
        _check_url("SKILLWIRE_WORKDAY_REPORT_URL", workday_report_url, ("http", "https"))

    return {
        "personio_client_id": env.get("SKILLWIRE_PERSONIO_CLIENT_ID") or None,
        "personio_client_secret": env.get("SKILLWIRE_PERSONIO_CLIENT_SECRET") or None,
        "personio_base_url": personio_base_url,
        "personio_api_version": personio_api_version,
        "personio_identifier_attributes": _pairs("SKILLWIRE_PERSONIO_IDENTIFIER_ATTRIBUTES",
                                                 env.get("SKILLWIRE_PERSONIO_IDENTIFIER_ATTRIBUTES", ""),
                                                 "dynamic_1146702=lms_username"),
        "hibob_service_user_id": env.get("SKILLWIRE_HIBOB_SERVICE_USER_ID") or None,
        "hibob_service_user_token": env.get("SKILLWIRE_HIBOB_SERVICE_USER_TOKEN") or None,
        "hibob_base_url": hibob_base_url,
        "hibob_identifier_fields": _pairs("SKILLWIRE_HIBOB_IDENTIFIER_FIELDS",
                                          env.get("SKILLWIRE_HIBOB_IDENTIFIER_FIELDS", ""),
                                          "/work/custom/lmsUsername=lms_username"),
        "hibob_webhook_secret": env.get("SKILLWIRE_HIBOB_WEBHOOK_SECRET") or None,
        "workday_report_url": workday_report_url,
        "workday_username": env.get("SKILLWIRE_WORKDAY_USERNAME") or None,
        "workday_password": env.get("SKILLWIRE_WORKDAY_PASSWORD") or None,
        "workday_field_map": _pairs("SKILLWIRE_WORKDAY_FIELD_MAP", env.get("SKILLWIRE_WORKDAY_FIELD_MAP", ""),
                                    "employee_id=Employee_ID,email=Email_Address"),
        "workday_since_param": env.get("SKILLWIRE_WORKDAY_SINCE_PARAM") or None,
        "sync_schedule": _sync_schedule(env.get("SKILLWIRE_SYNC_SCHEDULE", "")),
        "sync_retry_attempts": _int(env, "SKILLWIRE_SYNC_RETRY_ATTEMPTS", 5, minimum=1, maximum=20),
        "sync_backoff_seconds": _float(env, "SKILLWIRE_SYNC_BACKOFF_SECONDS", 1.0, minimum=0.0),
    }


def _sync_schedule(raw: str) -> dict[str, int]:
    """Parse ``CONNECTOR=SECONDS,...`` into a map of connector name to seconds between syncs."""
    name = "SKILLWIRE_SYNC_SCHEDULE"
    schedule: dict[str, int] = {}
    for connector, seconds in _pairs(name, raw, "bamboohr=3600,personio=86400").items():
        if connector not in SYNC_CONNECTORS:
            raise ConfigError(f"{name}: unknown connector '{connector}'; use one of {', '.join(SYNC_CONNECTORS)}")
        try:
            interval = int(seconds)
        except ValueError:
            raise ConfigError(f"{name}: invalid interval '{seconds}' for {connector}; give whole seconds") from None
        if interval < MIN_SYNC_INTERVAL_SECONDS:
            raise ConfigError(f"{name}: interval {interval} for {connector} is too short; "
                              f"use at least {MIN_SYNC_INTERVAL_SECONDS} seconds")
        schedule[connector] = interval
    return schedule


def _float(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default

    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: invalid number '{raw}'") from None

    if not value >= minimum or value == float("inf"):
        raise ConfigError(f"{name}: {raw} is out of range; use a finite number of at least {minimum}")
    return value


def default_database_url(instance_dir: Path) -> str:
    """Return the URL of the SQLite database in the instance folder, used when SKILLWIRE_DATABASE_URL is unset."""
    return f"sqlite:///{instance_dir / 'skillwire.db'}"


def create_instance_dir(settings: Settings) -> None:
    """Create the instance folder when the database is the default one inside it.

    Raises ConfigError naming SKILLWIRE_INSTANCE_DIR when the folder cannot be created.
    """
    if settings.database_url != default_database_url(settings.instance_dir):
        return

    try:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"SKILLWIRE_INSTANCE_DIR: cannot create the folder '{settings.instance_dir}' "
                          f"({error.strerror}); create it or point the variable at a writable folder") from None


DATABASE_URL_EXAMPLES = "use sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB"


def _check_database_url(url: str, explicit: bool) -> None:
    """Check the URL's form, port and driver, and that an explicit SQLite file is in a folder that exists."""
    name = "SKILLWIRE_DATABASE_URL"
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError) as error:
        raise ConfigError(f"{name}: invalid URL '{redact_url(url)}' ({error}); {DATABASE_URL_EXAMPLES}") from None

    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"{name}: unsupported scheme '{backend}' in '{shown}'; {DATABASE_URL_EXAMPLES}")
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"{name}: port {port} in '{shown}' is out of range; use 1 to 65535")

    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as error:
        raise ConfigError(f"{name}: database driver '{parsed.drivername}' in '{shown}' is unknown or not "
                          f"installed ({error}); {DATABASE_URL_EXAMPLES}") from None

    if backend == "sqlite" and explicit:
        _check_sqlite_folder(name, parsed)


def _check_sqlite_folder(name: str, url: URL) -> None:
    # A mistyped folder must not silently give a new, empty database, so only the default folder is created.
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return

    folder = Path(database).parent
    if not folder.is_dir():
        raise ConfigError(f"{name}: the folder '{folder}' of the SQLite database does not exist; create it "
                          "or correct the path")


def _check_instance_dir(instance_dir: Path) -> None:
    """Check that the instance folder is a folder, or that its nearest existing parent is one."""
    existing = instance_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent

    if not existing.is_dir():
        raise ConfigError(f"SKILLWIRE_INSTANCE_DIR: '{existing}' is not a folder, so '{instance_dir}' cannot "
                          "hold the database; point the variable at a folder")


def _check_redis_url(url: str) -> None:
    name = "SKILLWIRE_REDIS_URL"
    parts = _check_url(name, url, ("redis", "rediss", "unix"), require_host=False)
    if parts.scheme == "unix":
        if not parts.path:
            raise ConfigError(f"{name}: '{redact_url(url)}' has no socket path; use unix:///PATH/TO/redis.sock")
        return

    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ConfigError(f"{name}: invalid database number '{database}' in '{redact_url(url)}'; "
                          "use redis://HOST:PORT/0")


def _check_url(name: str, url: str, schemes: tuple[str, ...], require_host: bool = True):
    """Check that the URL has one of ``schemes``, a valid port, and a host unless require_host is False."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ConfigError(f"{name}: invalid URL '{redact_url(url)}'; expected a scheme of {', '.join(schemes)}")

    try:
        parts.port
    except ValueError as error:
        raise ConfigError(f"{name}: invalid port in '{redact_url(url)}' ({error}); use a number from 1 to 65535") \
            from None

    if require_host and not parts.hostname:
        raise ConfigError(f"{name}: '{redact_url(url)}' has no host; give an absolute URL such as "
                          f"{schemes[0]}://host.example.com")
    return parts


_URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")


def redact_url(url: str) -> str:
    """Return the URL with any password replaced by "***", for messages and logs."""
    return _URL_PASSWORD.sub(r"\1:***@", url, count=1)


# A BambooHR subdomain is one DNS label, as in https://SUBDOMAIN.bamboohr.com.
_SUBDOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _bamboohr_subdomain(value: str | None) -> str | None:
    if value is not None and not _SUBDOMAIN.fullmatch(value):
        raise ConfigError(f"SKILLWIRE_BAMBOOHR_SUBDOMAIN: invalid subdomain '{value}'; give the part before "
                          ".bamboohr.com: letters, digits and '-'")
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default

    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: invalid integer '{raw}'") from None

    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name}: {value} is out of range; use at least {minimum}{upper}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default

    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: invalid boolean '{raw}'; use true or false")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, default).upper()
    if value not in choices:
        raise ConfigError(f"{name}: invalid value '{value}'; use one of {', '.join(choices)}")
    return value


def _account_homepages(raw: str) -> dict[str, str]:
    """Parse ``HOMEPAGE=KIND,HOMEPAGE=KIND`` into a map of account home page to identifier kind."""
    name = "SKILLWIRE_ACCOUNT_HOMEPAGES"
    pairs = _pairs(name, raw, "https://lms.example.com=lms_username")
    for homepage in pairs:
        _check_url(name, homepage, ("http", "https"))
    return {homepage.rstrip("/"): kind for homepage, kind in pairs.items()}


def _pairs(name: str, raw: str, example: str) -> dict[str, str]:
    """Parse ``KEY=VALUE,KEY=VALUE``; the key may itself contain "=" but the value may not."""
    result: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, value = item.rpartition("=")
        if not sep or not key or not value:
            raise ConfigError(f"{name}: invalid entry '{item}'; use KEY=VALUE, for example {example}")
        result[key.strip()] = value.strip()
    return result
