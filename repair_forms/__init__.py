"""TENANT SCHEMA — form templates (报修单表单) and repair orders (报修单): assets and catalog, the
order lifecycle (``lifecycle.py`` is the single source of truth), work orders (派单), suspension
approvals, urges, SLA clocks, ratings, numbering and the order event log. Knows nothing of WeChat,
SMS or Celery transports: it writes events, ``integrations`` reads them."""
