"""Notification delivery: the transactional outbox over ``repair_forms.OrderEvent``.

``signals`` enqueues a fan-out after each event's transaction commits; ``services`` turns an event
into ``Notification`` rows (one per event, recipient and channel) and delivers each with retries;
``tasks`` are the Celery entry points and the periodic sweeper that picks up anything missed.
"""
