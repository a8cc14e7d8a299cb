"""Production file serving: photos on S3 are a redirect to a short-lived signed URL (never streamed
through a web worker); static files get hashed names and a year-long cache."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.test import override_settings
from django_tenants.utils import schema_context
from moto import mock_aws

from repair_forms import services
from repair_forms.models import OrderPhoto
from repair_forms.tests.helpers import jpeg, make_cast
from tests.actors import client_for

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "baoxiu-media-test"


@pytest.fixture
def s3_storage() -> Iterator[None]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        storages = {
            "default": {"BACKEND": "tenants.storage.TenantS3Storage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(
            STORAGES=storages,
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_QUERYSTRING_AUTH=True,
            AWS_QUERYSTRING_EXPIRE=300,
            AWS_DEFAULT_ACL=None,
            AWS_S3_SIGNATURE_VERSION="s3v4",
        ):
            yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_a_photo_on_s3_is_a_redirect_to_a_signed_url_that_expires_soon(actors: Any, s3_storage: None) -> None:
    with schema_context(actors.tenant_a.schema_name):
        cast = make_cast(actors)
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[jpeg()]))
        photo = OrderPhoto.objects.get(order=order)
    response = client_for(actors.tenant_a, actors.owner_a).get(f"/console/photos/{photo.pk}/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert target.path.endswith(photo.file.name)
    assert photo.file.name.startswith(actors.tenant_a.schema_name + "/")
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["300"]
    assert not response.has_header("Content-Length") or response["Content-Length"] == "0"


def test_a_photo_on_local_disk_is_still_served_by_the_app(actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        cast = make_cast(actors)
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[jpeg()]))
        photo = OrderPhoto.objects.get(order=order)
    response = client_for(actors.tenant_a, actors.owner_a).get(f"/console/photos/{photo.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # type: ignore[attr-defined]


def test_production_static_files_have_hashed_names_and_a_long_cache(tmp_path: Path) -> None:
    """collectstatic with the production storage writes a manifest; whitenoise then serves the
    hashed name with a cache that never needs revalidating."""
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        # Third-party bundles (admin, DRF, swagger/redoc) only cost time here: ours prove the point.
        "call_command('collectstatic', '--noinput', verbosity=0,"
        " ignore_patterns=['admin', 'rest_framework', 'drf_spectacular_sidecar']);"
        "from django.templatetags.static import static; from django.test import Client;"
        "url = static('saas_platform/public.css'); print(url);"
        "r = Client(HTTP_HOST='baoxiu.example', HTTP_X_FORWARDED_PROTO='https').get(url);"
        "print(r.status_code, r.headers.get('Cache-Control'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings.production",
        "SECRET_KEY": "s" * 60,
        "BASE_DOMAIN": "baoxiu.example",
        "BAOXIU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    url, status_line = result.stdout.strip().splitlines()[-2:]
    assert url.startswith("/static/saas_platform/public.") and url.endswith(".css")
    assert url != "/static/saas_platform/public.css"  # a content hash in the name
    status, cache_control = status_line.split(" ", 1)
    assert status == "200"
    assert "immutable" in cache_control and "max-age=315360000" in cache_control
