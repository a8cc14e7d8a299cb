"""The deploy files say what the stack test proves: checked against their schemas and linters
(kubernetes-validate --strict, hadolint, caddy adapt) and for the properties the issue asked for."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.stack.topology import CADDY, ROOT

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == kind}


def mebibytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
    return float(number) * (1024 if unit == "Gi" else 1)


def test_the_kubernetes_manifests_validate_strictly_against_the_api_schemas() -> None:
    files = sorted(str(p) for p in (DEPLOY / "k8s").glob("*.yaml"))
    result = subprocess.run(  # noqa: S603
        [str(BIN / "kubernetes-validate"), "--strict", "--quiet", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfiles_pass_hadolint() -> None:
    for dockerfile in (DEPLOY / "Dockerfile", DEPLOY / "pgbouncer" / "Dockerfile"):
        result = subprocess.run(  # noqa: S603
            [str(BIN / "hadolint"), "--failure-threshold", "warning", str(dockerfile)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{dockerfile}: {result.stdout}{result.stderr}"


def test_the_caddyfile_adapts_with_on_demand_tls_asking_the_app() -> None:
    env = {**os.environ, "CADDY_ADMIN": "off", "HOME": "/tmp"}
    result = subprocess.run(  # noqa: S603
        [CADDY, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert '"on_demand":true' in result.stdout
    assert "/internal/tls-ask" in result.stdout
    assert '"X-Forwarded-For":["{http.request.remote.host}"]' in result.stdout


def test_pgbouncer_pools_sessions_and_authenticates_with_scram() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(DEPLOY / "pgbouncer" / "pgbouncer.ini")
    assert ini["pgbouncer"]["pool_mode"] == "session"
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    assert ini["pgbouncer"]["listen_port"] == "6432"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert compose["x-app"]["environment"]["DATABASE_URL_FILE"]
    assert "pgbouncer:6432" in (DEPLOY / "compose.yaml").read_text()


def test_compose_runs_migrate_to_completion_before_the_app_and_pins_every_image() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "migrate", "postgres", "pgbouncer", "redis", "minio", "caddy"} <= set(
        services
    )
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    for name, service in services.items():
        image = service.get("image", "")
        assert re.fullmatch(r"[\w./-]+:(\$\{[^}]+\}|[\w.-]+)", image), f"{name} image {image!r} has no tag"
        assert not image.endswith(":latest"), name
        if name not in {"migrate", "minio-bucket", "web"}:  # web: the image's HEALTHCHECK
            assert "healthcheck" in service, f"{name} has no healthcheck"
    assert services["beat"]["volumes"] == ["beat_data:/var/lib/baoxiu/beat"]
    assert "--network" not in str(services)  # nothing host-specific


def test_compose_healthchecks_expand_their_variables_and_the_file_suits_debians_compose() -> None:
    """An exec-form healthcheck (``CMD``) runs without a shell, so ``$HOSTNAME`` would reach celery
    as the literal text and the worker would always be unhealthy; a variable needs ``CMD-SHELL``.
    Debian bookworm's docker-compose (1.29) refuses a top-level ``name:`` (the project name is -p)."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert "name" not in compose
    for name, service in compose["services"].items():
        test = service.get("healthcheck", {}).get("test")
        if isinstance(test, list) and test[0] == "CMD":
            assert not any("$" in str(part) for part in test), f"{name}: {test} is never expanded"
    worker = compose["services"]["worker"]["healthcheck"]["test"]
    assert worker[0] == "CMD-SHELL" and "celery@$$HOSTNAME" in worker[1]


def test_the_image_installs_dependencies_before_the_source_and_runs_as_a_non_root_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.index("pip install") < dockerfile.index("COPY . .")
    assert "pip install -e" not in dockerfile and "--editable" not in dockerfile
    assert re.search(r"^USER 10001", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "ARG BASE_IMAGE" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git", "node_modules"} <= set(ignored)


def test_kubernetes_probes_security_and_a_migrate_job_per_release() -> None:
    deployments = by_kind("Deployment")
    web = deployments["baoxiu-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert "memory" in container["resources"]["limits"], name
    beat = deployments["baoxiu-beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    mounts = {m["mountPath"] for m in beat["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]}
    assert "/var/lib/baoxiu/beat" in mounts
    (job,) = by_kind("Job").values()
    assert re.fullmatch(r"baoxiu-migrate-\d+-\d+-\d+", job["metadata"]["name"])
    assert job["metadata"]["labels"]["app.kubernetes.io/version"].replace(".", "-") in job["metadata"]["name"]
    assert {"baoxiu-web", "baoxiu-worker"} <= set(by_kind("PodDisruptionBudget"))
    assert {"baoxiu-web", "baoxiu-worker"} <= set(by_kind("HorizontalPodAutoscaler"))


def test_kubernetes_memory_limits_cover_the_measured_peak_of_a_large_photo_upload() -> None:
    bench = (ROOT / "bench" / "README.md").read_text()
    peaks = dict(re.findall(r"^k8s sizing: (web|worker) pod peak (\d+) MiB", bench, re.M))
    assert set(peaks) == {"web", "worker"}, "bench/README.md states the measured peaks"
    deployments = by_kind("Deployment")
    for role in ("web", "worker"):
        container = deployments[f"baoxiu-{role}"]["spec"]["template"]["spec"]["containers"][0]
        limit = mebibytes(container["resources"]["limits"]["memory"])
        request = mebibytes(container["resources"]["requests"]["memory"])
        assert limit >= 1.25 * int(peaks[role]), (role, limit, peaks[role])
        assert request <= limit


def test_debian_packages_the_stack_test_runs_are_installed_by_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for package in ("caddy", "pgbouncer"):
        assert f'missing="$$missing {package}"' in makefile
    assert "systemctl disable --now" in makefile
    assert shutil.which("caddy") and Path("/usr/sbin/pgbouncer").exists()
