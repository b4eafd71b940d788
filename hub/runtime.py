"""The per-process runtime: settings, database sessions, loaded mappings and the job runner.

The web app creates one in ``create_app``; an RQ worker creates one from the environment on its first job.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings, load_settings
from .db import create_db_engine, create_session_factory

if TYPE_CHECKING:
    from .jobs import JobRunner

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    jobs: "JobRunner"
    _mappings: object | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        from .jobs import create_runner

        engine = create_db_engine(settings.database_url)
        jobs = create_runner(settings.redis_url, settings.queue_name)
        return cls(settings=settings, engine=engine, sessions=create_session_factory(engine), jobs=jobs)

    @property
    def mappings(self):
        """The skill framework and mapping rules, loaded and validated on first use."""
        if self._mappings is None:
            with self._lock:
                if self._mappings is None:
                    self._mappings = _load_mappings(self.settings)
        return self._mappings

    def close(self) -> None:
        self.engine.dispose()


def _load_mappings(settings: Settings):
    from hub.mapping import default_mappings_dir, load_mappings

    directory = settings.mappings_dir or default_mappings_dir()
    mappings = load_mappings(directory)
    log.info("mappings loaded: directory=%s skills=%d rules=%d", directory, len(mappings.skills), len(mappings.rules))
    return mappings


_current: Runtime | None = None
_current_lock = threading.Lock()


def set_current(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    """Return this process's runtime, creating it from ``SKILLWIRE_*`` variables in a fresh worker."""
    global _current
    if _current is None:
        with _current_lock:
            if _current is None:
                _current = Runtime.from_settings(load_settings())
    return _current
