# shellcheck shell=bash
# Shared environment for the project's scripts; source it, do not run it.
# Paths derive from this file's location so a clone anywhere works.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_ROOT="$repo"
export CONTAINERS_CONF="$repo/molecule/containers.conf"
export ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections"
# Image the Molecule scenarios and the demo boot with systemd.
export QUORUM_HOST_IMAGE="${QUORUM_HOST_IMAGE:-localhost/quorum-consul-host:bookworm}"
if [[ -d "$repo/.venv/bin" ]]; then
  export VIRTUAL_ENV="$repo/.venv"
  export PATH="$repo/.venv/bin:$PATH"
fi
# Scenarios live in molecule/ (not extensions/molecule/); saying so silences the migration warning.
export MOLECULE_GLOB="molecule/*/molecule.yml"
