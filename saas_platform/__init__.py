"""PUBLIC SCHEMA — settings, both urlconfs, the Celery app, wsgi/asgi, the public site and the
operator console. Sits on top of every other app (see the import-linter contracts)."""

from saas_platform.celery import app as celery_app

__all__ = ["celery_app"]
