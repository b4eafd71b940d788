"""Liveness and readiness endpoints for load balancers and orchestrators; no credentials needed."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from .jsonutil import json_response

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    return json_response({"status": "ok"})


@bp.get("/ready")
def ready():
    runtime = current_app.extensions["skillwire"]
    checks = {"database": _check_database(runtime)}
    if runtime.settings.redis_url:
        checks["redis"] = _check_redis(runtime)

    ok = all(value == "ok" for value in checks.values())
    return json_response({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def _check_database(runtime) -> str:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # Any failure means not ready; the type is reported, not raised.
        current_app.logger.warning("readiness check failed: database error=%s", type(error).__name__)
        return f"failed: {type(error).__name__}"
    return "ok"


def _check_redis(runtime) -> str:
    try:
        runtime.jobs.connection.ping()
    except Exception as error:  # Any failure means not ready; the type is reported, not raised.
        current_app.logger.warning("readiness check failed: redis error=%s", type(error).__name__)
        return f"failed: {type(error).__name__}"
    return "ok"
