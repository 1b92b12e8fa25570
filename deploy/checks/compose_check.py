"""What `docker compose config` would catch in compose.yaml, without an engine.

Usage: compose_check.py COMPOSE_FILE ENV_FILE OUTPUT_JSON

1. Interpolates every value as Compose does ($$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
   ${VAR:?e}, ${VAR?e}, ${VAR:+r}, ${VAR+r}) with ENV_FILE as the only environment, so
   the result does not depend on the caller's shell. A reference with neither a default
   nor a required-error is refused: on a fresh checkout it would silently become "".
   Every required variable must be listed in ENV_FILE (the template users copy).
2. Checks references the schema cannot: depends_on targets, named volumes, bind-mount
   sources, the build context and Dockerfile, and that every ${NAME} in a mounted odometer
   configuration is in that service's environment (odometer refuses an unset one).
3. Writes the interpolated document as JSON, for the schema check after interpolation.

Exits 1 with one line per problem.
"""
import json
import os
import re
import sys

import yaml

REFERENCE = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|-|:\?|\?|:\+|\+)(?P<arg>.*))?$", re.S)
ODOMETER_CONFIG_TARGET = "/etc/odometer/odometer.yaml"
ODOMETER_REFERENCE = re.compile(r"\$\{(?!file:)([^}]+)\}")

problems = []


def read_env_file(path):
    env = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, equals, value = line.partition("=")
            if not equals:
                problems.append(f"{path}:{number}: not NAME=value")
                continue
            env[name.strip()] = value.strip().strip("'\"")
    return env


def interpolate(text, env, where):
    def replace(match):
        if match.group(0) == "$$":
            return "$"
        if match.group("bare") is not None:
            problems.append(f"{where}: ${match.group('bare')} has no default; write ${{{match.group('bare')}:-...}} or ${{...:?why}}")
            return env.get(match.group("bare"), "")
        inner = match.group("braced")
        if "${" in inner or "$" in inner:
            problems.append(f"{where}: nested interpolation in ${{{inner}}} is not checked; keep defaults literal")
            return ""
        parsed = BRACED.match(inner)
        if not parsed:
            problems.append(f"{where}: ${{{inner}}} is not a valid interpolation")
            return ""
        name, op, arg = parsed.group("name"), parsed.group("op"), parsed.group("arg") or ""
        value = env.get(name)
        if op is None:
            problems.append(f"{where}: ${{{name}}} has no default; write ${{{name}:-...}} or ${{{name}:?why}}")
            return value or ""
        if op in (":?", "?"):
            if name not in env:
                problems.append(f"{where}: required ${{{name}}} is missing from the env template")
            if value is None or (op == ":?" and value == ""):
                return ""
            return value
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if value is not None else arg
        if op == ":+":
            return arg if value else ""
        return arg if value is not None else ""

    # "$$" first, so an escaped dollar is never read as a reference.
    return re.sub(r"\$\$|" + REFERENCE.pattern, replace, text)


def walk(node, env, path):
    if isinstance(node, dict):
        return {key: walk(value, env, f"{path}.{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [walk(value, env, f"{path}[{index}]") for index, value in enumerate(node)]
    if isinstance(node, str):
        return interpolate(node, env, path)
    return node


def environment_names(service):
    environment = service.get("environment") or {}
    if isinstance(environment, dict):
        return set(environment)
    return {entry.split("=", 1)[0] for entry in environment}


def check_references(document, base):
    services = document.get("services") or {}
    volumes = set((document.get("volumes") or {}).keys())
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        for target in depends_on if isinstance(depends_on, (list, dict)) else []:
            if target not in services:
                problems.append(f"services.{name}.depends_on: no service named {target}")
        build = service.get("build")
        if isinstance(build, dict):
            context = os.path.normpath(os.path.join(base, build.get("context", ".")))
            if not os.path.isdir(context):
                problems.append(f"services.{name}.build.context: {context} is not a folder")
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                problems.append(f"services.{name}.build.dockerfile: {dockerfile} does not exist")
        for mount in service.get("volumes") or []:
            source, _, rest = mount.partition(":") if isinstance(mount, str) else (mount.get("source", ""), "", "")
            target = rest.split(":", 1)[0]
            if source.startswith((".", "/")):
                path = os.path.normpath(os.path.join(base, source))
                if not os.path.exists(path):
                    problems.append(f"services.{name}.volumes: bind source {source} does not exist")
                elif target == ODOMETER_CONFIG_TARGET:
                    check_odometer_config(name, path, environment_names(service))
            elif source and source not in volumes:
                problems.append(f"services.{name}.volumes: named volume {source} is not declared")


def check_odometer_config(service, path, provided):
    """Odometer replaces ${NAME} in any string value and refuses to start if NAME is unset."""
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)

    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    for text in strings(config):
        for name in ODOMETER_REFERENCE.findall(text):
            if name not in provided:
                problems.append(f"services.{service}: {os.path.basename(path)} uses ${{{name}}}, not in its environment")


def main():
    compose_path, env_path, output_path = sys.argv[1:4]
    env = read_env_file(env_path)
    with open(compose_path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)  # resolves the YAML merge keys (<<) as Compose does
    interpolated = walk(document, env, "compose")
    check_references(interpolated, os.path.dirname(os.path.abspath(compose_path)))
    with open(output_path, "w", encoding="utf-8") as handle:
        json.dump(interpolated, handle, indent=1)
    for problem in problems:
        print(f"{compose_path}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
