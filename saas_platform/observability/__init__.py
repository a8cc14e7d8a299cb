"""Observability: structured logs, request ids, Prometheus metrics, error reports (issue 18)."""
