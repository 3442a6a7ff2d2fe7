"""Checks deploy/observability beyond what promtool's own checks cover: every PromQL expression of the Grafana
dashboard parses (each is written as a recording rule into a scratch file that `promtool check rules` reads), and
every MayaGo metric the alerts and the dashboard name is one the services make (its swift-metrics label, with dots,
is in the Swift sources), so that a renamed metric cannot leave an alert that never fires.

    python3 Tests/Deploy/check_observability.py <scratch folder>
"""
import json
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
folder = root / "deploy" / "observability"
scratch = pathlib.Path(sys.argv[1])
scratch.mkdir(parents=True, exist_ok=True)

# Debian's promtool is built without Kubernetes discovery, so `promtool check config` cannot read the scrape
# configuration: its shape is checked here, its rules by promtool.
import yaml
configuration = yaml.safe_load((folder / "prometheus.yml").read_text())
assert configuration["rule_files"] == ["alerts.yml"], "prometheus.yml loads alerts.yml"
job = configuration["scrape_configs"][0]
assert job["job_name"] == "mayago" and job["kubernetes_sd_configs"][0]["role"] == "pod", "prometheus.yml finds MayaGo's pods"
assert any(rule.get("target_label") == "service" for rule in job["relabel_configs"]), "prometheus.yml labels each series with its service"

dashboard = json.loads((folder / "grafana-dashboard.json").read_text())
expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:panel_{i}", "expr": e} for i, e in enumerate(expressions)]}]}
(scratch / "dashboard-rules.json").write_text(json.dumps(rules))
subprocess.run(["promtool", "check", "rules", str(scratch / "dashboard-rules.json")], check=True, stdout=subprocess.DEVNULL)

sources = "\n".join(path.read_text() for path in root.glob("*/**/*.swift") if ".build" not in path.parts)
named = set(re.findall(r"\b(?:mayago|hb|http_server)_[a-z_]+", (folder / "alerts.yml").read_text() + "\n".join(expressions)))
missing = []
for metric in sorted(named):
    base = re.sub(r"_(bucket|count|sum)$", "", metric)
    label = base.replace("_", ".")
    # A label's dots may also be underscores (`lag.seconds` is `lag_seconds`, `pool.size` is `pool_size`).
    pattern = re.compile(r'"' + r"[._]".join(re.escape(part) for part in base.split("_")) + r'"')
    if not pattern.search(sources):
        missing.append(f"{metric} (no label like \"{label}\" in the Swift sources)")
if missing:
    sys.exit("deploy/observability names metrics no service makes:\n  " + "\n  ".join(missing))
print(f"Observability: {len(dashboard['panels'])} dashboard panels ({len(expressions)} queries) parse; {len(named)} metrics named, all made by the services")
