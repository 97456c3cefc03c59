#!/usr/bin/env bash
# Installs the peer LTI tools that benches/load.rs compares cowork with, from the npm
# registry and PyPI, into target/peers (not committed):
#   target/peers/ltijs/node_modules  ltijs 5.9.9 with ltijs-sequelize 2.4.4 on PostgreSQL
#   target/peers/venv                pylti1p3 2.0.0, Flask 3.1.3 and gunicorn
# The application sources stay in benches/peers/ltijs and benches/peers/pylti1p3.
# Run from the repository root: `bash benches/peers/setup.sh`.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$root/target/peers"
mkdir -p "$peers/ltijs"

# ltijs with its Sequelize plugin; pg and pg-hstore are Sequelize's PostgreSQL driver.
cp "$root/benches/peers/ltijs/package.json" "$peers/ltijs/package.json"
(cd "$peers/ltijs" && npm install --no-audit --no-fund --omit=dev)

# pylti1p3 with Flask under gunicorn.
python3 -m venv "$peers/venv"
"$peers/venv/bin/pip" install --quiet --upgrade pip
"$peers/venv/bin/pip" install --quiet -r "$root/benches/peers/pylti1p3/requirements.txt"

echo "peers installed in $peers"
