"""Run every benchmark in order (``make bench``); each prints one JSON line of results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ["bench_provision.py", "bench_migrate.py", "bench_resolution.py"]:
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True, cwd=HERE)  # noqa: S603
