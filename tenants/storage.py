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


def presigned_url(file: Any, *, cache_control: str = "private, max-age=86400") -> str | None:
    """A short-lived signed URL (``AWS_QUERYSTRING_EXPIRE`` seconds) for a file kept on S3, so the
    browser downloads it from S3 instead of through a web worker; ``None`` for local disk. The
    caller has already checked that the viewer may see the file."""
    storage = getattr(file, "storage", None)
    if TenantS3Storage is None or not isinstance(storage, S3Storage) or not storage.querystring_auth:
        return None
    return str(storage.url(file.name, parameters={"ResponseCacheControl": cache_control}))


__all__: list[Any] = ["TenantFileSystemStorage", "TenantS3Storage", "presigned_url"]
