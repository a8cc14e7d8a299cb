"""File storage whose keys start with the active tenant's schema, so one provider's files can never
be addressed through another's paths (local disk or S3)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage
from django.db import connection


def _prefixed(name: str) -> str:
    schema = getattr(connection, "schema_name", "public")
    prefix = f"{schema}/"
    return name if name.startswith(prefix) else prefix + name


class TenantFileSystemStorage(FileSystemStorage):
    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return super().get_available_name(_prefixed(name), max_length)


try:
    from storages.backends.s3 import S3Storage

    class TenantS3Storage(S3Storage):
        def get_available_name(self, name: str, max_length: int | None = None) -> str:
            return super().get_available_name(_prefixed(name), max_length)

except ImportError:  # pragma: no cover - boto3 is a hard dependency
    TenantS3Storage = None  # type: ignore[assignment,misc]

__all__: list[Any] = ["TenantFileSystemStorage", "TenantS3Storage"]
