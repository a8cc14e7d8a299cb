"""deploy/observability: the alert rules and the Grafana dashboard are well formed and name only
metrics the application really exports. (Debian's prometheus package — whose promtool would check
the PromQL — is ~100 MB installed, too big to add to `make test`; this checks the structure.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

from saas_platform.observability.snapshot import Snapshot

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
METRIC = re.compile(r"\b(baoxiu_[a-z0-9_]+)")
SUFFIXES = ("_total", "_bucket", "_sum", "_count", "_created")


def _exported() -> set[str]:
    names = {
        metric.name for collector in list(REGISTRY._collector_to_names) for metric in collector.collect()
    }
    snapshot = Snapshot(beat_age=1.0, queue_depth=1, outbox={"sms": {"pending": 0}})
    names |= {metric.name for metric in snapshot.metrics()}
    return {name for name in names if name.startswith("baoxiu_")}


def _base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def test_the_alert_rules_cover_the_four_operator_alarms_and_are_complete() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    [group] = rules["groups"]
    by_name = {rule["alert"]: rule for rule in group["rules"]}
    for required in (
        "BaoxiuNotificationBacklogGrowing",
        "BaoxiuHighErrorRate",
        "BaoxiuBeatSilent",
        "BaoxiuSparePoolEmpty",
    ):
        assert required in by_name
    assert by_name["BaoxiuNotificationBacklogGrowing"]["for"] == "10m"
    assert "180" in by_name["BaoxiuBeatSilent"]["expr"]  # three missed one-minute beats
    for rule in group["rules"]:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        assert rule["expr"].count("(") == rule["expr"].count(")")


def test_alerts_and_dashboard_name_only_exported_metrics() -> None:
    exported = _exported()
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    exprs += [
        rule["expr"] for rule in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    ]
    referenced = {_base(name) for expr in exprs for name in METRIC.findall(expr)}
    assert referenced, "no metric referenced"
    assert referenced <= {_base(name) for name in exported}, referenced - {_base(n) for n in exported}
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
