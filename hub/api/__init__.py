"""The hub's own read and write API under /api/v1: evidence, people, skills and sync runs."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import evidence, identity, people, sync  # noqa: E402,F401  (routes register on bp)
