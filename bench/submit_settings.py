"""Bench-only settings (``bench_submit.py``): the product's settings with ``submit_urls`` as the
tenant urlconf, which adds the bare one-row-insert view used as the throughput ceiling. Never part
of the product: only the benchmark's gunicorn loads it."""

from saas_platform.settings.base import *  # noqa: F403

ROOT_URLCONF = "submit_urls"
