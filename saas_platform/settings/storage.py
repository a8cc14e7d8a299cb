"""Files: S3 (django-storages + boto3) when ``S3_BUCKET`` is set, local disk otherwise. Either way
keys are prefixed with the tenant's schema (``tenants.storage``)."""

from __future__ import annotations

from saas_platform.settings.env import env_int, env_optional, env_str

S3_BUCKET = env_optional("S3_BUCKET")
if S3_BUCKET:
    AWS_STORAGE_BUCKET_NAME = S3_BUCKET
    AWS_S3_REGION_NAME = env_optional("S3_REGION")
    AWS_S3_ENDPOINT_URL = env_optional("S3_ENDPOINT_URL")
    AWS_ACCESS_KEY_ID = env_optional("S3_ACCESS_KEY_ID")
    AWS_SECRET_ACCESS_KEY = env_optional("S3_SECRET_ACCESS_KEY")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    # Photos and files are served by a redirect to a signed URL valid this long (tenants.storage).
    AWS_QUERYSTRING_EXPIRE = env_int("S3_PRESIGN_SECONDS", 300)
    AWS_S3_SIGNATURE_VERSION = "s3v4"  # what MinIO and every AWS region accept (v2 is retired)
    _default_backend = "tenants.storage.TenantS3Storage"
else:
    _default_backend = env_str("FILE_STORAGE_BACKEND", "tenants.storage.TenantFileSystemStorage")

STORAGES = {
    "default": {"BACKEND": _default_backend},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
