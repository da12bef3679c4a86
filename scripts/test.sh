#!/usr/bin/env bash
# The project's test command: lint, sanity, unit, integration, then every
# Molecule scenario on real systemd hosts. Stops at the first failure.
# Sanity, unit and integration run on each ansible-core in core_venvs: the
# newest (.venv) and the oldest the collection claims (.venv-2.16); lint and
# Molecule on the newest.
#   scripts/test.sh                 everything (what CI runs)
#   scripts/test.sh sanity unit     only the named steps (setup always runs)
set -euo pipefail
cd "$(dirname "$0")/.."

all_steps=(lint sanity unit integration molecule)
# Steps that run once per ansible-core virtualenv, the newest first.
core_steps=(sanity unit integration)
core_venvs=(.venv .venv-2.16)
# Molecule scenarios that are not tests (the demo leaves its hosts running).
molecule_exclude=(demo)

started=$SECONDS
step_started=$SECONDS
current=""
timings=()
scratch=""
step() {
  [[ -z $current ]] || timings+=("$(printf '%5ds  %s' $((SECONDS - step_started)) "$current")")
  current=$*
  step_started=$SECONDS
  printf '\n########## %s\n' "$current"
}
finish() {
  local rc=$?
  [[ -z $scratch ]] || rm -rf "$scratch"
  [[ -z $current ]] || timings+=("$(printf '%5ds  %s' $((SECONDS - step_started)) "$current")")
  printf '\n########## timings\n'
  printf '%s\n' "${timings[@]}"
  # One plain closing line for CI: a step is a whole test runner (lint, sanity, pytest, Molecule).
  if ((rc == 0)); then
    printf 'PASSED in %ds\n' $((SECONDS - started))
    printf 'steps: %d passed, 0 failed\n' "${#timings[@]}"
  else
    printf 'FAILED (exit %d) in step: %s\n' "$rc" "$current" >&2
    printf 'steps: %d passed, 1 failed\n' $((${#timings[@]} - 1))
  fi
}
trap finish EXIT
require_dir() {
  [[ -d $1 ]] || { echo "test.sh: $1 does not exist; this step cannot pass without it" >&2; exit 1; }
}

# ansible-test bootstraps pip in each of its virtualenvs with a get-pip script
# from ci-files.testing.ansible.com, which CI cannot reach. Seed its cache with
# a stand-in that uses the pip bundled with Python, then installs from PyPI.
seed_get_pip() {
  local version cache
  version=$(python - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements as reqs
print(re.search(r"pip='([^']+)'", inspect.getsource(reqs.get_venv_packages)).group(1))
PY
)
  cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
  [[ -f $cache ]] && return
  mkdir -p "$(dirname "$cache")"
  cat > "$cache" <<'PY'
# Stand-in for ansible-test's get-pip script, written by quorum.consul's scripts/test.sh.
# ensurepip runs in its own process: it turns pip's configuration off where it runs.
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args]))
PY
}

run_lint() {
  step "ansible-lint (production profile, .ansible-lint)"
  ansible-lint
  # CHANGELOG.md is made from changelogs/fragments at release: a bad fragment fails here, not then.
  antsibull-changelog lint
}

# Run "$@" with the ansible-core of virtualenv $1 first on PATH (CORE_VERSION names it in the step).
with_core() {
  local venv=$1 saved_path=$PATH saved_venv=${VIRTUAL_ENV:-}
  shift
  export VIRTUAL_ENV="$REPO_ROOT/$venv" PATH="$REPO_ROOT/$venv/bin:$PATH"
  CORE_VERSION="ansible-core $(python -c 'import ansible.release; print(ansible.release.__version__)')"
  "$@"
  export PATH=$saved_path VIRTUAL_ENV=$saved_venv
}

run_sanity() {
  step "ansible-test sanity ($CORE_VERSION)"
  # ansible-test needs the collection under ansible_collections/NAMESPACE/NAME and
  # looks at every file there: copy exactly what git tracks or would track.
  [[ -z $scratch ]] || rm -rf "$scratch"
  scratch=$(mktemp -d /var/tmp/quorum-sanity.XXXXXX)
  local dir="$scratch/ansible_collections/quorum/consul"
  mkdir -p "$dir"
  git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf - | tar -xf - -C "$dir"
  seed_get_pip
  (cd "$dir" && ansible-test sanity --python 3.11 --color no)
}

run_unit() {
  step "unit tests (pytest tests/unit, $CORE_VERSION)"
  require_dir tests/unit
  pytest tests/unit
}

run_integration() {
  # On the older ansible-core, every module still runs against real agents; the tests whose time goes to Consul's own
  # waits (marker consul_waits) run on the newest only.
  local only=()
  [[ $VIRTUAL_ENV == "$REPO_ROOT/${core_venvs[0]}" ]] || only=(-m "not consul_waits")
  step "integration tests (pytest tests/integration ${only[*]}, real Consul agents, $CORE_VERSION)"
  require_dir tests/integration
  pytest "${only[@]}" tests/integration
}

run_molecule() {
  step "Molecule: every scenario but ${molecule_exclude[*]}"
  require_dir molecule/evolve
  local exclude=() s
  for s in "${molecule_exclude[@]}"; do exclude+=(--exclude "$s"); done
  molecule test --all "${exclude[@]}"
}

steps=("$@")
((${#steps[@]})) || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
  [[ " ${all_steps[*]} " == *" $s "* ]] || { echo "test.sh: unknown step '$s' (steps: ${all_steps[*]})" >&2; exit 2; }
done

step "setup (scripts/setup.sh)"
scripts/setup.sh
source scripts/env.sh
CONSUL_BINARY_SRC=$(scripts/get-consul.sh)
export CONSUL_BINARY_SRC
# Colour codes only clutter CI logs.
if [[ -n ${CI:-} ]]; then
  export PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1
fi

for s in "${steps[@]}"; do
  if [[ " ${core_steps[*]} " == *" $s "* ]]; then
    for venv in "${core_venvs[@]}"; do with_core "$venv" "run_$s"; done
  else
    "run_$s"
  fi
done
