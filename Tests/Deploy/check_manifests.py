"""Checks a rendered overlay (kubectl kustomize) for what MayaGo's cluster must not be without, beyond what the
Kubernetes schemas say: every pod without root, on a read-only root filesystem, probed on /health and /ready,
with requests and limits; only the gateway reachable from outside; and in production, no service on one replica.

    python3 Tests/Deploy/check_manifests.py <dev|production> <rendered.yaml>
"""
import sys

import yaml

SERVICES = {"gateway", "auth", "booking", "payment", "search", "messaging", "notify"}
AUTOSCALED = {"gateway", "search", "messaging"}


def check(overlay, documents):
    problems = []
    by_kind = {}
    for document in documents:
        by_kind.setdefault(document["kind"], {})[document["metadata"]["name"]] = document
    deployments = {name: spec for name, spec in by_kind.get("Deployment", {}).items() if name in SERVICES}
    if set(deployments) != SERVICES:
        problems.append(f"Deployments {sorted(deployments)} are not the seven services")
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        security = container.get("securityContext", {})
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"{name} may run as root")
        if not (security.get("readOnlyRootFilesystem") and security.get("allowPrivilegeEscalation") is False
                and security.get("capabilities", {}).get("drop") == ["ALL"]):
            problems.append(f"{name}'s container is not locked down")
        probes = {kind: container.get(kind, {}).get("httpGet", {}).get("path") for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
        if probes != {"startupProbe": "/health", "livenessProbe": "/health", "readinessProbe": "/ready"}:
            problems.append(f"{name}'s probes are {probes}")
        resources = container.get("resources", {})
        if not all(key in resources.get(part, {}) for part in ("requests", "limits") for key in ("cpu", "memory")):
            problems.append(f"{name} lacks requests or limits")
        sources = {source.get("configMapRef", source.get("secretRef", {})).get("name") for source in container.get("envFrom", [])}
        if not any(source and source.startswith("mayago-secrets") for source in sources):
            problems.append(f"{name} does not read the secrets")
        replicas = deployment["spec"].get("replicas", 1)
        if overlay == "production":
            autoscaler = by_kind.get("HorizontalPodAutoscaler", {}).get(name)
            least = autoscaler["spec"]["minReplicas"] if autoscaler else replicas
            if least < 2:
                problems.append(f"{name} may run on one replica")
            if (name in AUTOSCALED) != (autoscaler is not None):
                problems.append(f"{name}: autoscaler {'missing' if autoscaler is None else 'unexpected'}")
            if autoscaler and "replicas" in deployment["spec"]:
                problems.append(f"{name} sets replicas that its autoscaler would fight")
            if name not in by_kind.get("PodDisruptionBudget", {}):
                problems.append(f"{name} has no disruption budget")
        elif replicas != 1:
            problems.append(f"{name} has {replicas} replicas in {overlay}")
    policies = by_kind.get("NetworkPolicy", {})
    deny = policies.get("default-deny-ingress", {}).get("spec", {})
    if deny.get("podSelector") != {"matchLabels": {"app.kubernetes.io/part-of": "mayago"}} or deny.get("ingress"):
        problems.append("no default deny for MayaGo's pods")
    for policy in policies.values():
        selected = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("ingress", []):
            if "from" not in rule and selected != "gateway":
                problems.append(f"{policy['metadata']['name']} lets anyone reach {selected}")
    for ingress in by_kind.get("Ingress", {}).values():
        backends = {path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
        if backends != {"gateway"}:
            problems.append(f"the Ingress reaches {backends}")
        if overlay == "production" and not ingress["spec"].get("tls"):
            problems.append("the production Ingress has no TLS")
    if overlay == "dev" and not {"postgres", "redis"} <= set(by_kind.get("Service", {})):
        problems.append("dev has no PostgreSQL or Redis")
    return problems


if __name__ == "__main__":
    overlay, path = sys.argv[1], sys.argv[2]
    with open(path) as rendered:
        problems = check(overlay, [document for document in yaml.safe_load_all(rendered) if document])
    for problem in problems:
        print(f"{overlay}: {problem}")
    sys.exit(1 if problems else 0)
