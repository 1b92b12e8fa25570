#!/usr/bin/env bash
# Installs the peers `odometer bench` measures against (DuckDB and Polars, pinned to the versions
# of the README's figures) into a Python virtual environment, if they are not there yet. Optional:
# without them the bench prints the peers as skipped. Debian 12's Python refuses `pip install`
# outside a virtual environment (PEP 668), hence the venv. Idempotent; needs PyPI.
set -euo pipefail

venv="${ODOMETER_PEERS_VENV:-/opt/odometer-peers}"
requirements=(duckdb==2.0.1 polars==2.1.0)

if [ -x "$venv/bin/python3" ] && "$venv/bin/python3" -c "import duckdb, polars" 2>/dev/null; then
  echo "setup: peers ready in $venv"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null; then
  echo "setup: installing python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi

echo "setup: installing ${requirements[*]} into $venv"
$sudo /usr/bin/python3 -m venv "$venv"
$sudo "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
"$venv/bin/python3" -c "import duckdb, polars; print('setup: peers ready: duckdb', duckdb.__version__, 'polars', polars.__version__)"
