"""The Flask application factory."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, Response, g, request

from . import runtime as runtime_module
from .config import Settings, create_instance_dir, load_settings
from .errors import register_error_handlers
from .logs import configure_logging, context_id

log = logging.getLogger(__name__)

# Request ids from clients are kept only when they look like ids, so logs cannot be forged through them.
MAX_REQUEST_ID_LENGTH = 64


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    create_instance_dir(settings)
    configure_logging(settings.log_level, settings.log_json)

    runtime = runtime_module.Runtime.from_settings(settings)
    runtime_module.set_current(runtime)

    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["skillwire"] = runtime

    _register_request_hooks(app)
    register_error_handlers(app)
    _register_blueprints(app)

    log.info("app created: database=%s jobs=%s", settings.database_url.split("://")[0],
             "in-process" if settings.jobs_in_process else "rq")
    return app


def _register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .health import bp as health_bp
    from .scim import bp as scim_bp
    from .xapi_api import bp as xapi_bp

    app.register_blueprint(xapi_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(scim_bp)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def bind_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        valid = incoming and len(incoming) <= MAX_REQUEST_ID_LENGTH and incoming.replace("-", "").isalnum()
        g.request_id = incoming if valid else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        g.context_token = context_id.set(f"req:{g.request_id}")

    @app.after_request
    def drop_content_type_of_no_content(response: Response) -> Response:
        # Flask labels every response text/html by default, but a 204 has no content to label. Werkzeug 3.1
        # already sends a 204 without a body and without Content-Length.
        if response.status_code == 204:
            del response.headers["Content-Type"]
        return response

    @app.after_request
    def log_request(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("request finished: method=%s path=%s status=%s duration_ms=%.1f",
                 request.method, request.path, response.status_code, elapsed_ms)
        return response

    @app.teardown_request
    def unbind_request_id(_error) -> None:
        token = g.pop("context_token", None)
        if token is not None:
            context_id.reset(token)
