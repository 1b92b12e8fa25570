#!/usr/bin/env bash
# Installs the Debian 12 packages Odometer builds, tests and runs with, if any is missing.
# Idempotent; safe to run on every CI job. Needs root or sudo only when it must install.
set -euo pipefail

packages=(librdkafka-dev liblz4-dev libpq-dev libjemalloc-dev postgresql pkg-config kcat tzdata prometheus chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's postgresql package starts a system cluster; Odometer's tests and demo start their
# own throwaway clusters instead (initdb + pg_ctl on a free port), so that one is not needed.
pkg-config --exists rdkafka || { echo "setup: librdkafka's pkg-config file is missing" >&2; exit 1; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "setup: initdb not found under /usr/lib/postgresql" >&2; exit 1; }
echo "setup: system packages ready"
