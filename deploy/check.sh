#!/usr/bin/env bash
# Validates deploy/ where no container engine or cluster runs (CI, a laptop without Docker):
#   - compose.yaml against the Compose Specification schema, before and after Compose-style
#     interpolation with .env.example, plus the references a schema cannot see;
#   - the Kubernetes manifests with kubernetes-validate (strict, a pinned Kubernetes
#     version), plus labels, selectors and secret references across files;
#   - prometheus.yml with promtool; when they install here, hadolint on the Dockerfile and
#     ShellCheck on the shell scripts;
#   - itself: deliberately broken copies must fail each validator, so a validator that
#     silently accepts everything fails the check.
# Installs its tools under .build-deploy-check/ (git-ignored): a Python venv from PyPI, and
# promtool from Debian's prometheus package when it is not on PATH. Works as root in CI
# (CI=true, no stdin). Quiet on success but for one line; exits non-zero on any problem.
set -euo pipefail
cd "$(dirname "$0")/.."

kubernetes_version=${DEPLOY_CHECK_KUBERNETES_VERSION:-1.33.0}
tools=.build-deploy-check
venv=$tools/venv
work=$tools/work
log=$tools/last.log
mkdir -p "$tools" "$work"
: >"$log"

fail() { echo "deploy check: $*" >&2; exit 1; }
# Runs a command with its output kept aside; shows it only if the command fails.
quietly() {
  local description=$1; shift
  if ! "$@" >"$log" 2>&1; then
    echo "deploy check: $description failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}
# Runs a command that must fail, on a deliberately broken input, for the expected reason
# (a missing file or a crash would fail too, and prove nothing).
must_fail() {
  local description=$1 expected=$2; shift 2
  if "$@" >"$log" 2>&1; then
    fail "self-check: $description was accepted; the validator is not checking anything"
  fi
  grep -Eq "$expected" "$log" || { cat "$log" >&2; fail "self-check: $description failed, but not with /$expected/"; }
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_python_tools() {
  local stamp=$venv/.requirements
  local wanted
  wanted=$(cat deploy/checks/requirements.txt deploy/checks/requirements-optional.txt)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    return
  fi
  rm -rf "$venv"
  # Debian splits venv support (ensurepip) out of python3.
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    quietly "apt-get update" as_root apt-get update -qq
    quietly "apt-get install python3-venv" as_root apt-get install -y -qq --no-install-recommends python3 python3-venv
  fi
  quietly "creating a Python venv" python3 -m venv "$venv"
  local pip=("$venv/bin/pip" install --quiet --disable-pip-version-check --no-input)
  quietly "pip install of the validators" "${pip[@]}" -r deploy/checks/requirements.txt
  # Each optional linter on its own: one without a wheel for this platform skips only itself.
  while read -r requirement; do
    case $requirement in ''|'#'*) continue ;; esac
    "${pip[@]}" "$requirement" >>"$log" 2>&1 || echo "deploy check: $requirement did not install; skipping it" >&2
  done <deploy/checks/requirements-optional.txt
  printf '%s' "$wanted" >"$stamp"
}

# promtool from Debian's prometheus package. Unpacked, not installed: installing the package
# would also set up (and on some systems start) a Prometheus server.
find_promtool() {
  if command -v promtool >/dev/null 2>&1; then command -v promtool; return; fi
  local unpacked=$tools/prometheus/usr/bin/promtool
  if [ ! -x "$unpacked" ]; then
    local debs=$tools/debs
    mkdir -p "$debs"
    if ! (cd "$debs" && apt-get download prometheus) >"$log" 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      quietly "apt-get update" as_root apt-get update -qq
      quietly "apt-get download prometheus" bash -c "cd '$debs' && apt-get download prometheus"
    fi
    local debs_found=("$debs"/prometheus_*.deb)
    quietly "unpacking promtool" dpkg-deb -x "${debs_found[0]}" "$tools/prometheus"
  fi
  echo "$unpacked"
}

install_python_tools
promtool=$(find_promtool)
bin=$venv/bin
py=$bin/python
skipped=()

# --- compose ------------------------------------------------------------------------------
compose=deploy/compose/compose.yaml
quietly "compose.yaml against the Compose Specification" \
  "$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$compose"
quietly "compose.yaml interpolation and references" \
  "$py" deploy/checks/compose_check.py "$compose" deploy/compose/.env.example "$work/compose.interpolated.json"
quietly "interpolated compose.yaml against the Compose Specification" \
  "$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$work/compose.interpolated.json"

# --- Kubernetes ---------------------------------------------------------------------------
manifests=(deploy/kubernetes/*.yaml)
k8s_documents=()
for manifest in "${manifests[@]}"; do
  [ "$(basename "$manifest")" = kustomization.yaml ] || k8s_documents+=("$manifest")
done
quietly "kubernetes-validate --strict (Kubernetes $kubernetes_version)" \
  "$bin/kubernetes-validate" --strict --quiet --kubernetes-version "$kubernetes_version" "${k8s_documents[@]}"
quietly "Kubernetes cross-references" "$py" deploy/checks/kubernetes_check.py deploy/kubernetes
# kubectl's built-in kustomize, when there is one, also proves the kustomization renders.
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  quietly "kubectl kustomize deploy/kubernetes" bash -c "kubectl kustomize deploy/kubernetes >'$work/kustomized.yaml'"
  quietly "kubernetes-validate of the kustomize output" \
    "$bin/kubernetes-validate" --strict --quiet --kubernetes-version "$kubernetes_version" "$work/kustomized.yaml"
else
  skipped+=("kustomize render (no kubectl)")
fi

# --- Prometheus, Dockerfile, shell --------------------------------------------------------
quietly "promtool check config" "$promtool" check config deploy/compose/prometheus.yml
if [ -x "$bin/hadolint" ]; then
  quietly "hadolint deploy/Dockerfile" "$bin/hadolint" deploy/Dockerfile
else
  skipped+=("hadolint")
fi
scripts=(deploy/check.sh deploy/compose/create-topics.sh)
for script in "${scripts[@]}"; do quietly "bash -n $script" bash -n "$script"; done
if [ -x "$bin/shellcheck" ]; then
  quietly "shellcheck" "$bin/shellcheck" "${scripts[@]}"
else
  skipped+=("shellcheck")
fi

# --- self-check: each validator must refuse a broken copy ---------------------------------
broken=$work/broken
rm -rf "$broken" && mkdir -p "$broken" && cp -r deploy/kubernetes "$broken/kubernetes"
# break FILE SED-EXPRESSION: edits a copy and makes sure the edit took.
break_copy() {
  local file=$1 expression=$2
  cp "$file" "$file.orig" && sed -i "$expression" "$file"
  ! cmp -s "$file" "$file.orig" || fail "self-check: could not break $file"
}
break_copy "$broken/kubernetes/deployment.yaml" 's/^  replicas: 3$/  replica: 3/'
must_fail "a Deployment with an unknown field" "'replica' was unexpected" \
  "$bin/kubernetes-validate" --strict --quiet --kubernetes-version "$kubernetes_version" "$broken/kubernetes/deployment.yaml"
mv "$broken/kubernetes/deployment.yaml.orig" "$broken/kubernetes/deployment.yaml"
break_copy "$broken/kubernetes/service.yaml" 's/component: serve$/component: server/'
rm "$broken/kubernetes/service.yaml.orig"
must_fail "a Service whose selector picks no pod" "selector picks no serve pod" \
  "$py" deploy/checks/kubernetes_check.py "$broken/kubernetes"
cp "$compose" "$broken/compose.yaml"
break_copy "$broken/compose.yaml" 's/^    image: apache\/kafka/    imagee: apache\/kafka/'
must_fail "a compose service with an unknown key" "'imagee' was unexpected" \
  "$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$broken/compose.yaml"
# shellcheck disable=SC2016 # the $ is for compose, not for this shell
printf 'services:\n  x:\n    image: ${NO_DEFAULT}\n' >"$broken/bare-variable.yaml"
must_fail "a compose variable without a default" "NO_DEFAULT. has no default" \
  "$py" deploy/checks/compose_check.py "$broken/bare-variable.yaml" deploy/compose/.env.example "$broken/out.json"
cp deploy/compose/prometheus.yml "$broken/prometheus.yml"
break_copy "$broken/prometheus.yml" 's/^  scrape_interval: 15s$/  scrape_interval: fifteen/'
must_fail "a Prometheus config with an invalid duration" "not a valid duration" \
  "$promtool" check config "$broken/prometheus.yml"

summary="compose, ${#k8s_documents[@]} Kubernetes manifests (v$kubernetes_version), prometheus.yml"
[ -x "$bin/hadolint" ] && summary+=", Dockerfile"
[ ${#skipped[@]} -eq 0 ] || summary+="; skipped: ${skipped[*]}"
echo "deploy check: ok ($summary)"
