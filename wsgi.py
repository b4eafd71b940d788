"""WSGI entry point for gunicorn: ``gunicorn 'wsgi:app'``. Settings come from SKILLWIRE_* variables."""

from hub.app import create_app

app = create_app()
