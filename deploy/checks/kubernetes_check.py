"""What a schema cannot see in deploy/kubernetes: that the pieces refer to each other.

Usage: kubernetes_check.py FOLDER

- kustomization.yaml lists every manifest in FOLDER (but the Secret template, which must
  stay out of it) and nothing that is missing;
- the Deployment's selector matches its pod labels, and the Service's and the
  PodDisruptionBudget's selectors pick those pods;
- every ConfigMap and Secret a pod uses is defined here;
- every ${NAME} in the odometer configuration reaches each pod that mounts it (odometer
  refuses to start on an unset one), from its env or its Secret;
- the probes and the container port agree with http.listen, and the grace period outlasts
  the pipeline's shutdown timeout (30 s by default).

Exits 1 with one line per problem.
"""
import os
import re
import sys

import yaml

SECRET_TEMPLATE = "secret.example.yaml"
SHUTDOWN_TIMEOUT_SECONDS = 30
REFERENCE = re.compile(r"\$\{(?!file:)([^}]+)\}")

problems = []


def load(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def selects(selector, labels):
    match = (selector or {}).get("matchLabels", selector or {})
    return bool(match) and all(labels.get(key) == value for key, value in match.items())


def strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def check_kustomization(folder):
    kustomization = load(folder, "kustomization.yaml")
    listed = kustomization.get("resources") or []
    for name in listed:
        if not os.path.isfile(os.path.join(folder, name)):
            problems.append(f"kustomization.yaml lists {name}, which does not exist")
    if SECRET_TEMPLATE in listed:
        problems.append(f"kustomization.yaml must not list {SECRET_TEMPLATE}: apply would overwrite the real Secret")
    present = {name for name in os.listdir(folder) if name.endswith((".yaml", ".yml"))}
    for name in sorted(present - set(listed) - {"kustomization.yaml", SECRET_TEMPLATE}):
        problems.append(f"{name} is not listed in kustomization.yaml")
    return [name for name in listed if os.path.isfile(os.path.join(folder, name))]


def check_pod(owner, pod, config_maps, secrets):
    for volume in pod.get("volumes") or []:
        if "configMap" in volume and volume["configMap"]["name"] not in config_maps:
            problems.append(f"{owner}: volume {volume['name']} uses ConfigMap {volume['configMap']['name']}, not defined here")
    for container in pod.get("containers") or []:
        where = f"{owner} container {container['name']}"
        names = {entry["name"] for entry in container.get("env") or []}
        for source in container.get("envFrom") or []:
            secret = (source.get("secretRef") or {}).get("name")
            if secret is not None:
                if secret not in secrets:
                    problems.append(f"{where}: envFrom Secret {secret} is not defined ({SECRET_TEMPLATE})")
                names |= secrets.get(secret, set())
        mounted = {mount["name"] for mount in container.get("volumeMounts") or []}
        for volume in pod.get("volumes") or []:
            if volume["name"] in mounted and "configMap" in volume:
                for text in config_maps.get(volume["configMap"]["name"], {}).get("strings", []):
                    for name in REFERENCE.findall(text):
                        if name not in names:
                            problems.append(f"{where}: the configuration uses ${{{name}}}, which it does not get")


def check_serve(deployment, config_maps):
    pod = deployment["spec"]["template"]
    labels = pod["metadata"].get("labels") or {}
    if not selects(deployment["spec"]["selector"], labels):
        problems.append("Deployment: spec.selector does not match the pod template's labels")
    grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
    if grace <= SHUTDOWN_TIMEOUT_SECONDS:
        problems.append(f"Deployment: terminationGracePeriodSeconds {grace} must exceed the {SHUTDOWN_TIMEOUT_SECONDS} s shutdown timeout")
    listen_ports = {config.get("listen_port") for config in config_maps.values()} - {None}
    for container in pod["spec"]["containers"]:
        ports = {port.get("name"): port["containerPort"] for port in container.get("ports") or []}
        for port in listen_ports:
            if port not in ports.values():
                problems.append(f"Deployment: http.listen uses port {port}, which the container does not declare")
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = (container.get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path:
                problems.append(f"Deployment: {probe} must GET {path}")
            if get.get("port") not in ports and get.get("port") not in ports.values():
                problems.append(f"Deployment: {probe} port {get.get('port')} is not a container port")
    return labels


def main():
    folder = sys.argv[1]
    listed = check_kustomization(folder)
    documents = [(name, load(folder, name)) for name in listed]
    template = load(folder, SECRET_TEMPLATE)
    secrets = {template["metadata"]["name"]: set((template.get("stringData") or {}) | (template.get("data") or {}))}
    config_maps = {}
    for _, document in documents:
        if document["kind"] == "ConfigMap":
            texts, port = [], None
            for text in (document.get("data") or {}).values():
                config = yaml.safe_load(text)
                texts.extend(strings(config))
                listen = ((config or {}).get("http") or {}).get("listen")
                if listen:
                    port = int(str(listen).rsplit(":", 1)[1])
            config_maps[document["metadata"]["name"]] = {"strings": texts, "listen_port": port}

    pod_labels = {}
    for name, document in documents:
        kind = document["kind"]
        if kind == "Deployment":
            pod_labels = check_serve(document, config_maps)
        if kind in ("Deployment", "Job"):
            check_pod(f"{kind} {document['metadata']['name']}", document["spec"]["template"]["spec"],
                      config_maps, secrets)
    for name, document in documents:
        if document["kind"] == "Service" and not selects(document["spec"].get("selector"), pod_labels):
            problems.append(f"{name}: the Service's selector picks no serve pod")
        if document["kind"] == "PodDisruptionBudget" and not selects(document["spec"].get("selector"), pod_labels):
            problems.append(f"{name}: the PodDisruptionBudget's selector picks no serve pod")

    for problem in problems:
        print(f"{folder}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
