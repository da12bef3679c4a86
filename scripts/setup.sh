#!/usr/bin/env bash
# Prepare this machine for the tests and the demo; safe to run again.
# Installs, only when missing: the Debian packages (podman, debootstrap, runc,
# unzip, python3-venv, shellcheck for ansible-test sanity, openssh-client for
# the benchmark), the virtualenvs .venv (requirements-dev.txt: the newest
# ansible-core and the tools) and .venv-2.16 (requirements-ansible-2.16.txt:
# the oldest ansible-core the collection claims), Consul, the
# systemd host image, and the link that makes the repo visible as the
# collection quorum.consul.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

step() { printf '\n=== setup: %s\n' "$*"; }
die() { echo "setup.sh: $*" >&2; exit 1; }

step "Debian packages"
packages=(podman debootstrap runc unzip python3-venv shellcheck openssh-client)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "all present: ${packages[*]}"
fi
for tool in podman debootstrap runc unzip shellcheck; do
  command -v "$tool" >/dev/null || die "$tool is still missing after apt-get install"
done
podman info >/dev/null || die "podman does not work here (podman info failed)"

# Reinstall a virtualenv only when its requirements file changed since the last install.
make_venv() {
  local venv=$1 requirements=$2 want stamp
  step "Python virtualenv $venv ($requirements)"
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  stamp=$venv/.requirements.sha256
  if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    echo "up to date with $requirements"
  else
    echo "installing $requirements"
    [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$requirements"
    echo "$want" > "$stamp"
  fi
  for tool in ansible ansible-test pytest; do
    [[ -x $venv/bin/$tool ]] || die "$tool is missing from $venv"
  done
}
make_venv .venv requirements-dev.txt
# The oldest ansible-core the collection claims: scripts/test.sh runs sanity, unit and integration on it too.
make_venv .venv-2.16 requirements-ansible-2.16.txt
source scripts/env.sh  # puts the fresh .venv on PATH
for tool in ansible-playbook ansible-lint molecule; do
  command -v "$tool" >/dev/null || die "$tool is missing from .venv"
done

step "Consul binary"
consul=$(scripts/get-consul.sh) || die "scripts/get-consul.sh failed"
version=$("$consul" version) || die "$consul does not run"
echo "$consul: ${version%%$'\n'*}"

step "systemd host image"
scripts/build-image.sh

step "collection link"
# Ansible finds quorum.consul through ANSIBLE_COLLECTIONS_PATH (scripts/env.sh);
# the link follows the clone wherever it lives.
link=.cache/collections/ansible_collections/quorum/consul
mkdir -p "$(dirname "$link")"
ln -sfn "$REPO_ROOT" "$link"
[[ -f $link/galaxy.yml ]] || die "$link does not lead to the collection"
echo "$link -> $REPO_ROOT"

step "done"
