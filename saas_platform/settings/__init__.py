"""Settings package: ``base`` plus one small module per integration; ``test`` and ``production``
override. ``DJANGO_SETTINGS_MODULE`` picks one (``manage.py`` defaults to ``base``)."""
