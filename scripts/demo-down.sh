#!/usr/bin/env bash
# Remove the demo's containers and network (see scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v molecule >/dev/null || { echo "demo-down.sh: molecule is missing; run scripts/setup.sh" >&2; exit 1; }
molecule destroy -s demo
# the demo datacenter's CA, certificates and tokens (molecule/demo/molecule.yml)
rm -rf .cache/demo
