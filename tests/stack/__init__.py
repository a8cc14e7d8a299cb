"""The production topology as processes on this machine (Caddy, PgBouncer, gunicorn ×2, Celery
worker and beat, Redis, an S3 server), started from Debian and PyPI packages with production
settings, and the deploy files checked against their schemas."""
