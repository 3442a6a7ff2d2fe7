#!/usr/bin/env bash
# Renders the Kubernetes overlays (deploy/kubernetes) with kubectl's kustomize into run/kubernetes, validates them
# against the Kubernetes 1.30 schemas (kubernetes-validate, strict: an unknown field is an error) and checks what
# the schemas cannot say (Tests/Deploy/check_manifests.py); then checks the alert rules and runs their tests with
# promtool, and checks the dashboard's queries and metric names (Tests/Deploy/check_observability.py). make test
# runs it first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p run/kubernetes
for overlay in dev production; do
    kubectl kustomize "deploy/kubernetes/overlays/$overlay" >"run/kubernetes/$overlay.yaml" 2>/dev/null
    kubernetes-validate --kubernetes-version 1.30.0 --strict --quiet "run/kubernetes/$overlay.yaml"
    python3 Tests/Deploy/check_manifests.py "$overlay" "run/kubernetes/$overlay.yaml"
done
echo "Kubernetes overlays valid: $(grep -c '^kind:' run/kubernetes/dev.yaml) objects in dev, $(grep -c '^kind:' run/kubernetes/production.yaml) in production"
promtool check rules deploy/observability/alerts.yml
promtool test rules deploy/observability/alerts.test.yml
python3 Tests/Deploy/check_observability.py run/observability
