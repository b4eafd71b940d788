"""Settings read from ``SKILLWIRE_*`` environment variables and validated at start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit


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
    page_size: int = 100
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
    database_url = env.get("SKILLWIRE_DATABASE_URL") or f"sqlite:///{instance_dir / 'skillwire.db'}"
    _check_database_url(database_url)

    redis_url = env.get("SKILLWIRE_REDIS_URL") or None
    if redis_url is not None:
        _check_url("SKILLWIRE_REDIS_URL", redis_url, ("redis", "rediss", "unix"))

    host = env.get("SKILLWIRE_HOST", "127.0.0.1")
    port = _int(env, "SKILLWIRE_PORT", 8000, minimum=1, maximum=65535)
    public_url = env.get("SKILLWIRE_PUBLIC_URL") or f"http://{host}:{port}"
    _check_url("SKILLWIRE_PUBLIC_URL", public_url, ("http", "https"))

    mappings_dir = env.get("SKILLWIRE_MAPPINGS_DIR")
    if mappings_dir and not Path(mappings_dir).is_dir():
        raise ConfigError(f"SKILLWIRE_MAPPINGS_DIR: '{mappings_dir}' is not a directory; point it at a folder of mapping files")

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
        page_size=_int(env, "SKILLWIRE_PAGE_SIZE", 100, minimum=1),
        max_page_size=_int(env, "SKILLWIRE_MAX_PAGE_SIZE", 1000, minimum=1),
        log_level=_choice(env, "SKILLWIRE_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        log_json=_bool(env, "SKILLWIRE_LOG_JSON", False),
        queue_name=env.get("SKILLWIRE_QUEUE", "skillwire"),
        sweep_seconds=_int(env, "SKILLWIRE_SWEEP_SECONDS", 60, minimum=0),
        bamboohr_subdomain=env.get("SKILLWIRE_BAMBOOHR_SUBDOMAIN") or None,
        bamboohr_api_key=env.get("SKILLWIRE_BAMBOOHR_API_KEY") or None,
        bamboohr_identifier_fields=_pairs("SKILLWIRE_BAMBOOHR_IDENTIFIER_FIELDS",
                                          env.get("SKILLWIRE_BAMBOOHR_IDENTIFIER_FIELDS", ""),
                                          "customLMSUsername=lms_username"),
        **_connector_settings(env),
    )


# Connectors that sync runs and SKILLWIRE_SYNC_SCHEDULE accept.
SYNC_CONNECTORS = ("bamboohr", "personio", "hibob", "workday")

# Scheduled syncs closer together than this would mostly re-read unchanged data.
MIN_SYNC_INTERVAL_SECONDS = 60


def _connector_settings(env: Mapping[str, str]) -> dict:
    """Read the Personio, HiBob, Workday and sync schedule variables into Settings fields."""
    personio_base_url = env.get("SKILLWIRE_PERSONIO_BASE_URL") or "https://api.personio.de/v1/"
    _check_url("SKILLWIRE_PERSONIO_BASE_URL", personio_base_url, ("http", "https"))
    hibob_base_url = env.get("SKILLWIRE_HIBOB_BASE_URL") or "https://api.hibob.com/v1/"
    _check_url("SKILLWIRE_HIBOB_BASE_URL", hibob_base_url, ("http", "https"))
    workday_report_url = env.get("SKILLWIRE_WORKDAY_REPORT_URL") or None
    if workday_report_url is not None:
        _check_url("SKILLWIRE_WORKDAY_REPORT_URL", workday_report_url, ("http", "https"))

    return {
        "personio_client_id": env.get("SKILLWIRE_PERSONIO_CLIENT_ID") or None,
        "personio_client_secret": env.get("SKILLWIRE_PERSONIO_CLIENT_SECRET") or None,
        "personio_base_url": personio_base_url,
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


def _check_database_url(url: str) -> None:
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"SKILLWIRE_DATABASE_URL: unsupported scheme '{scheme}'; "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )


def _check_url(name: str, url: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ConfigError(f"{name}: invalid URL '{url}'; expected a scheme of {', '.join(schemes)}")


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
    pairs = _pairs("SKILLWIRE_ACCOUNT_HOMEPAGES", raw, "https://lms.example.com=lms_username")
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
