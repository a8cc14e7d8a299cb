"""``make image-test``: build the production image and run it here, then leave the machine as it was.

1. Debian's docker.io engine, started as root with a private data root under ``var/image/docker``
   (kept, so a later run reuses the base and dependency layers), ``--iptables=false --bridge=none``:
   containers use the host's network only, so nothing is added to iptables and no interface appears.
2. The base image from ``deploy/base-image.sh`` (debootstrap; the tarball is cached in var/image/).
3. ``docker build -f deploy/Dockerfile`` (network: host, for PyPI).
4. compose's PgBouncer container (``deploy/pgbouncer``'s image, the committed pgbouncer.ini, the
   SCRAM userlist as a secret file, compose's user and healthcheck) in front of the machine's
   PostgreSQL (a throwaway role and database, dropped at the end); migrate, then web + worker + beat
   with ``--network host`` through it, with their own redis-server, moto's S3 server and the fake
   Tencent SMS gateway on loopback.
5. Smoke checks: /healthz and /readyz on a pod-IP Host, a provider's portal page, a provider signs up
   (SMS code from the SMS log); the image has no .venv, no var/, no pgserver, no pytest, runs as a
   non-root user, and is smaller than the budget in README.md.
6. ``deploy/compose.yaml`` read by Debian's docker-compose (1.29: bookworm has no ``docker compose``
   plugin) with an example ``.env``: schema, interpolation and merge keys. Only ``config``: the
   stack's other images (PostgreSQL, Redis, MinIO, Caddy) cannot be pulled here.
7. Containers removed, the engine stopped, and no new interface or iptables rule left behind.

The secrets (SECRET_KEY, DATABASE_URL, FIELD_ENCRYPTION_KEY, S3 and SMS keys) reach the containers
as compose gives them: files bind-mounted under /run/secrets/, mode 0400, owned by the app's uid
(compose without swarm ignores a secret's uid/gid/mode), read through the ``NAME_FILE`` variables.

Prints what it measured (build time, image size). Exits non-zero on any failure, with the logs.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

from integrations.tests.fake_tencent_sms import FakeTencentSms
from integrations.tests.fake_tencent_sms import start as start_fake_sms
from tests.stack.client import Browser, location_path
from tests.stack.processes import free_port, start
from tests.stack.topology import BIN, ROOT, VERIFY_TEMPLATE, Database, redis_start

IMAGE = "baoxiu:image-test"
BASE_IMAGE = "baoxiu-base:bookworm"
IMAGE_BUDGET_MB = 500  # README.md "make image-test"; the runtime image measured 450 MB
BASE_DOMAIN = "baoxiu.test"
VAR = ROOT / "var" / "image"
APP_UID = 10001  # deploy/Dockerfile's user
# What compose.yaml passes as secret files (NAME_FILE) rather than variables.
SECRET_VARIABLES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "FIELD_ENCRYPTION_KEY",
    "S3_SECRET_ACCESS_KEY",
    "TENCENT_SMS_SECRET_KEY",
)
# deploy/compose.yaml's required variables, example values (README "Secrets").
COMPOSE_EXAMPLE_ENV = {
    "BASE_DOMAIN": "baoxiu.example",
    "CADDY_EMAIL": "ops@baoxiu.example",
    "BAOXIU_VERSION": "1.0.0",
    "S3_ACCESS_KEY_ID": "baoxiu",
    "TENCENT_SMS_SECRET_ID": "example",
    "TENCENT_SMS_SDK_APP_ID": "1400000000",
    "TENCENT_SMS_SIGN_NAME": "example",
    "TENCENT_SMS_TEMPLATE_VERIFY_CODE": "1",
}


def sh(*argv: str, timeout: float = 900, check: bool = True, capture: bool = True) -> str:
    result = subprocess.run(  # noqa: S603 (fixed programs)
        list(argv), capture_output=capture, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout if capture else ""


def machine_state() -> tuple[str, str]:
    """Network interfaces and iptables rules, to compare before and after."""
    links = "\n".join(sorted(re.findall(r"^\d+: ([^:@]+)", sh("ip", "-o", "link"), re.M)))
    rules = ""
    if shutil.which("iptables"):
        rules = sh("iptables", "-S", check=False) + sh("iptables", "-t", "nat", "-S", check=False)
    return links, rules


def mounts_under(path: Path) -> list[str]:
    return [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines() if str(path) in line]


def unmount_and_remove(work: Path) -> None:
    """dockerd leaves its netns bind mount under the exec root; unmount, then delete."""
    for mount_point in reversed(mounts_under(work)):
        subprocess.run(["umount", "-l", mount_point], check=False)  # noqa: S603,S607
    shutil.rmtree(work, ignore_errors=True)


def pgbouncer_container(engine: Engine, work: Path, db: Database) -> tuple[list[str], int]:
    """compose.yaml's pgbouncer service on the host network: deploy/pgbouncer's image, the committed
    pgbouncer.ini (its [databases] pointed at the throwaway database, its port free), the SCRAM
    userlist as a secret file (uid 10001, 0400) and compose's user; the docker run arguments and port."""
    service = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]["pgbouncer"]
    engine.run(
        "build", "--force-rm", "--network", "host", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}",
        "-t", service["image"], str(ROOT / "deploy" / "pgbouncer"),
    )  # fmt: skip
    port = free_port()
    folder = work / "pgbouncer"
    folder.mkdir()
    userlist = folder / "userlist.txt"
    userlist.write_text(f'"{db.name}" "{db.scram_secret()}"\n')
    os.chown(userlist, APP_UID, APP_UID)
    userlist.chmod(0o400)
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    ini.remove_section("databases")
    ini.add_section("databases")
    ini["databases"][db.name] = f"host={db.server_host} port={db.server_port} dbname={db.name}"
    ini["pgbouncer"].update({"listen_addr": "127.0.0.1", "listen_port": str(port)})
    with (folder / "pgbouncer.ini").open("w") as handle:
        ini.write(handle)
    (folder / "pgbouncer.ini").chmod(0o644)
    (target,) = [s["target"] for s in service["secrets"] if s["source"] == "pgbouncer_userlist"]
    health = " ".join(service["healthcheck"]["test"][1:]).replace("6432", str(port))
    argv = [
        "--network", "host", "--user", service["user"], "--health-cmd", health, "--health-interval", "5s",
        "-v", f"{folder / 'pgbouncer.ini'}:/etc/pgbouncer/pgbouncer.ini:ro", "-v", f"{userlist}:{target}:ro",
        service["image"],
    ]  # fmt: skip
    return argv, port


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def worker_health_command() -> str:
    services = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    test = services["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL", test
    return str(test[1]).replace("$$", "$")


def compose_config(work: Path) -> None:
    """Debian's docker-compose reads deploy/compose.yaml: valid, every variable interpolated."""
    env_file = work / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in COMPOSE_EXAMPLE_ENV.items()))
    compose = ["docker-compose", "-p", "baoxiu", "-f", str(ROOT / "deploy" / "compose.yaml")]
    sh(*compose, "--env-file", str(env_file), "config", "-q", timeout=120)


def secret_files(work: Path, env: dict[str, str]) -> list[str]:
    """Move the secret values out of ``env`` into files as compose mounts them; the docker run
    arguments that mount them."""
    folder = work / "secrets"
    folder.mkdir(mode=0o700)
    mounts: list[str] = []
    for name in SECRET_VARIABLES:
        path = folder / name.lower()
        path.write_text(env.pop(name))
        os.chown(path, APP_UID, APP_UID)
        path.chmod(0o400)
        env[f"{name}_FILE"] = f"/run/secrets/{name.lower()}"
        mounts += ["-v", f"{path}:/run/secrets/{name.lower()}:ro"]
    return mounts


def ensure_packages() -> None:
    missing = [
        package
        for package, program in (
            ("docker.io", "dockerd"),
            ("debootstrap", "debootstrap"),
            ("docker-compose", "docker-compose"),
        )
        if not shutil.which(program)
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"image-test needs {' '.join(missing)}: apt-get install -y {' '.join(missing)} as root"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", *missing], check=True, env=env)  # noqa: S603,S607


class Engine:
    """A private dockerd: own socket, data root under var/image, host networking only."""

    def __init__(self, exits: ExitStack, work: Path) -> None:
        self.socket = work / "docker.sock"
        data_root = VAR / "docker"
        data_root.mkdir(parents=True, exist_ok=True)
        argv = [
            shutil.which("dockerd") or "/usr/sbin/dockerd",
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--ip-forward=false",
            "--ip-masq=false",
            "--data-root",
            str(data_root),
            "--exec-root",
            str(work / "exec"),
            "--pidfile",
            str(work / "dockerd.pid"),
            "-H",
            f"unix://{self.socket}",
        ]
        self.proc = start("dockerd", argv, log_dir=work, env=dict(os.environ))
        exits.callback(self.proc.stop, 60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.socket.exists() and self.run("info", check=False, quiet=True):
                return
            if not self.proc.alive():
                break
            time.sleep(0.5)
        raise RuntimeError(f"dockerd did not start\n{self.proc.describe()}")

    @property
    def client(self) -> list[str]:
        docker = shutil.which("docker") or "/usr/bin/docker"
        return [docker, "-H", f"unix://{self.socket}"]

    def run(self, *args: str, check: bool = True, quiet: bool = False, timeout: float = 1800) -> str:
        result = subprocess.run(  # noqa: S603
            [*self.client, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"docker {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout if result.returncode == 0 else ("" if quiet else result.stderr)


def main() -> int:  # noqa: PLR0915 (one script, in order)
    ensure_packages()
    links_before, rules_before = machine_state()
    work = Path(tempfile.mkdtemp(prefix="baoxiu-image-"))
    timings: dict[str, float] = {}
    started = time.monotonic()
    containers: list[str] = []
    volumes: list[str] = []
    with ExitStack() as exits:
        exits.callback(unmount_and_remove, work)
        engine = Engine(exits, work)
        timings["engine"] = round(time.monotonic() - started, 1)

        def remove_containers() -> None:
            for name in containers:
                engine.run("rm", "-f", name, check=False)
            for name in volumes:
                engine.run("volume", "rm", "-f", name, check=False)

        exits.callback(remove_containers)

        subprocess.run(  # noqa: S603
            ["bash", str(ROOT / "deploy" / "base-image.sh"), BASE_IMAGE],
            check=True,
            cwd=ROOT,
            env={**os.environ, "DOCKER": " ".join(engine.client), "BASE_CACHE_DIR": str(VAR)},
        )
        timings["base"] = round(time.monotonic() - started, 1)
        build_start = time.monotonic()
        engine.run(
            "build",
            "--force-rm",  # no intermediate container left behind, even when a step fails
            "--network",
            "host",
            "--build-arg",
            f"BASE_IMAGE={BASE_IMAGE}",
            "-f",
            str(ROOT / "deploy" / "Dockerfile"),
            "-t",
            IMAGE,
            str(ROOT),
        )
        timings["build_seconds"] = round(time.monotonic() - build_start, 1)
        compose_config(work)
        size_mb = int(engine.run("image", "inspect", "--format", "{{.Size}}", IMAGE).strip()) / 1e6

        # What is (not) inside.
        inside = engine.run(
            "run",
            "--rm",
            "--network",
            "none",
            "--entrypoint",
            "sh",
            IMAGE,
            "-c",
            "id -u; test ! -e /app/.venv && echo no-venv; test ! -e /app/var && echo no-var; "
            "python -c 'import pgserver' 2>/dev/null || echo no-pgserver; "
            "python -c 'import pytest' 2>/dev/null || echo no-pytest; "
            'test -n "$(ls /var/lib/baoxiu/static)" && echo static; '
            "test -f /var/lib/baoxiu/static/staticfiles.json && echo manifest; true",
        ).split()
        assert inside[0] != "0", f"runs as root: {inside}"
        for marker in ("no-venv", "no-var", "no-pgserver", "no-pytest", "static"):
            assert marker in inside, f"image check {marker} failed: {inside}"
        hashed_static = "manifest" in inside  # ManifestStaticFilesStorage: hashed names + staticfiles.json
        assert size_mb < IMAGE_BUDGET_MB, f"image is {size_mb:.0f} MB, over the {IMAGE_BUDGET_MB} MB budget"

        # Services on loopback: PostgreSQL role + database, Redis DB, S3, SMS.
        db = Database(name=f"baoxiu_image_{secrets.token_hex(4)}", password=secrets.token_urlsafe(18))
        db.create()
        exits.callback(db.drop)
        bouncer_args, bouncer_port = pgbouncer_container(engine, work, db)
        named = {"pgbouncer": f"baoxiu-image-pgbouncer-{secrets.token_hex(3)}"}
        engine.run("run", "-d", "--name", named["pgbouncer"], *bouncer_args)
        containers.append(named["pgbouncer"])
        wait_port(bouncer_port, 60)
        (work / "logs").mkdir(exist_ok=True)
        redis_proc, redis_port = redis_start(work)  # its own, as the stack test: nothing left behind
        exits.callback(redis_proc.stop)
        s3_port = free_port()
        s3 = start(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
            log_dir=work,
            env=dict(os.environ),
        )
        exits.callback(s3.stop)
        s3.wait_port(s3_port)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{s3_port}",
            aws_access_key_id="image",
            aws_secret_access_key="image-secret",
            region_name="us-east-1",
        ).create_bucket(Bucket="baoxiu-image")
        sms = FakeTencentSms()
        sms_server = start_fake_sms(sms)
        exits.callback(sms_server.shutdown)

        web_port = free_port()
        env = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BASE_DOMAIN": BASE_DOMAIN,
            "PORTAL_PORT": str(web_port),
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": db.url_via(bouncer_port),  # through PgBouncer, as in compose
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_KEY_PREFIX": f"image-{secrets.token_hex(4)}",
            "S3_BUCKET": "baoxiu-image",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "image",
            "S3_SECRET_ACCESS_KEY": "image-secret",
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SMS_BACKEND": "tencent",
            "TENCENT_SMS_ENDPOINT": sms.url,
            "TENCENT_SMS_SECRET_ID": sms.secret_id,
            "TENCENT_SMS_SECRET_KEY": sms.secret_key,
            "TENCENT_SMS_SDK_APP_ID": sms.sdk_app_id,
            "TENCENT_SMS_SIGN_NAME": sms.sign_names[0],
            "TENCENT_SMS_TEMPLATE_VERIFY_CODE": VERIFY_TEMPLATE,
            "TRUSTED_PROXIES": "127.0.0.1/32",
            "GUNICORN_BIND": f"127.0.0.1:{web_port}",
            "TENANT_SPARE_POOL_SIZE": "1",
        }
        mounts = secret_files(work, env)
        env_file = work / "app.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        common = ["--network", "host", "--env-file", str(env_file), *mounts, "--read-only", "--tmpfs", "/tmp"]
        # A named volume starts as a copy of the image's directory (owned by the app user), as in
        # compose; a tmpfs would be root's and beat could not write its schedule.
        beat_volume_name = f"baoxiu-image-beat-{secrets.token_hex(3)}"
        volumes.append(beat_volume_name)
        beat_volume = ["-v", f"{beat_volume_name}:/var/lib/baoxiu/beat"]

        run_start = time.monotonic()
        one_off = ["--rm", "--no-healthcheck", *common]
        engine.run("run", *one_off, IMAGE, "python", "manage.py", "migrate_schemas", "--noinput")
        engine.run(
            "run", *one_off, IMAGE, "python", "manage.py", "create_provider", "--name", "镜像测试服务",
            "--subdomain", "imagea", "--phone", "13900000009", "--password", "secret-123",
        )  # fmt: skip
        timings["migrate_seconds"] = round(time.monotonic() - run_start, 1)
        for name, command in (
            ("web", []),
            (
                "worker",
                ["celery", "-A", "saas_platform", "worker", "--concurrency", "1", "--loglevel", "INFO"],
            ),
            ("beat", ["celery", "-A", "saas_platform", "beat", "--loglevel", "INFO"]),
        ):
            container = f"baoxiu-image-{name}-{secrets.token_hex(3)}"
            extra = {
                "web": [],  # the image's HEALTHCHECK (/healthz)
                # compose.yaml's worker healthcheck, as compose hands it to the shell ($$ → $).
                "worker": ["--health-cmd", worker_health_command(), "--health-interval", "10s"],
                "beat": [*beat_volume, "--health-cmd", "python manage.py beat_alive --max-age 180"],
            }[name]
            engine.run("run", "-d", "--name", container, *common, *extra, IMAGE, *command)
            containers.append(container)
            named[name] = container

        def logs() -> str:
            return "\n".join(
                f"--- {c}\n{engine.run('logs', '--tail', '60', c, check=False)}" for c in containers
            )

        try:
            kubelet = Browser("10.1.2.3", web_port)
            deadline = time.monotonic() + 180
            ready = None
            while time.monotonic() < deadline:
                try:
                    ready = kubelet.request("GET", "/readyz", headers={"Host": "10.1.2.3:8000"})
                    if ready.status == 200:
                        break
                except OSError:
                    kubelet.close()
                time.sleep(2)
            assert ready is not None and ready.status == 200, ready.text if ready else "web never answered"
            assert kubelet.request("GET", "/healthz", headers={"Host": "10.1.2.3:8000"}).status == 200
            health = engine.run("inspect", "--format", "{{json .State.Health}}", named["web"])
            timings["ready_seconds"] = round(time.monotonic() - run_start, 1)

            portal = Browser(f"imagea.{BASE_DOMAIN}", web_port).get("/")
            assert portal.status == 200 and "镜像测试服务" in portal.text, portal.status

            public = Browser(BASE_DOMAIN, web_port)
            assert public.get("/signup/").status == 200
            sent = public.post("/sms/send-code/", {"phone": "13711119999", "purpose": "signup"})
            assert json.loads(sent.text)["ok"] is True, sent.text
            code = next(d["params"][0] for d in sms.delivered if d["phone"] == "+8613711119999")
            signed_up = public.post(
                "/signup/",
                {
                    "phone": "13711119999",
                    "code": code,
                    "name": "镜像注册服务商",
                    "subdomain": "imageb",
                    "password": "secret-123",
                    "password_confirm": "secret-123",
                },
            )
            assert signed_up.status == 302, signed_up.text[:2000]
            owner = Browser(f"imageb.{BASE_DOMAIN}", web_port)
            assert owner.get(location_path(signed_up)).status == 302
            assert "镜像注册服务商" in owner.get("/console/").text
            for container in containers:
                state = engine.run("inspect", "--format", "{{.State.Status}}", container).strip()
                assert state == "running", f"{container} is {state}\n{logs()}"
            for role in ("pgbouncer", "worker"):  # compose's own healthcheck commands
                status, deadline = "", time.monotonic() + 120
                while status != "healthy" and time.monotonic() < deadline:
                    time.sleep(3)
                    status = engine.run("inspect", "--format", "{{.State.Health.Status}}", named[role])
                    status = status.strip()
                health_log = engine.run("inspect", "--format", "{{json .State.Health}}", named[role])
                assert status == "healthy", f"{role}: {health_log}"
        except BaseException:
            print(logs(), file=sys.stderr)
            raise
        print(f"image-test: health {health.strip()}")
    timings["total_seconds"] = round(time.monotonic() - started, 1)

    links_after, rules_after = machine_state()
    assert not work.exists() and not mounts_under(work), f"left behind: {work} {mounts_under(work)}"
    assert links_after == links_before, f"interfaces changed:\n{links_before}\n--\n{links_after}"
    assert rules_after == rules_before, "iptables rules changed"
    assert not any(
        "dockerd" in Path(f"/proc/{pid}/comm").read_text(errors="ignore")
        for pid in os.listdir("/proc")
        if pid.isdigit()
        and Path(f"/proc/{pid}/comm").exists()
        and Path(f"/proc/{pid}/cmdline").exists()
        and str(work) in Path(f"/proc/{pid}/cmdline").read_text(errors="ignore")
    ), "dockerd still running"
    print(
        f"image-test: passed; image {size_mb:.0f} MB (budget {IMAGE_BUDGET_MB} MB); "
        f"hashed static names: {hashed_static}; timings {timings}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
