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
  # a job failed, or the run was stopped: the jobs still running go too, with the agents and hosts they started
  local pid
  for pid in "${!pool_jobs[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
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

# The integration tests and the Molecule scenarios wait far more than they compute (the integration tests use 0.6
# of a core; secure and adopt side by side took 421 s against 400 + 326 s one after the other), so they run as jobs,
# pool_size at a time. Two heavy scenarios side by side once made a leader miss its lease (an election right after a
# healthy run), so a scenario that checks who leads (install and evolve: the leader restarts last), stops servers on
# purpose (day2, recovery) or is not named here runs beside no other heavy one. adopt and secure check neither and
# run beside each other (pairable_jobs); the light jobs (light_jobs) run beside any. The integration tests' agents
# listen on this machine's loopback, each scenario's hosts on a network of its own (.config/molecule/config.yml),
# with its files in its own ephemeral directory. A job's log is printed whole when it ends; the first failure stops
# the others.
pool_size=${QUORUM_TEST_JOBS:-2}
# The order they start in; scenarios not named here are heavy, not pairable, and run after these, by name.
pool_order=(adopt secure install day2 recovery evolve integration bad_inventory single)
light_jobs=(integration bad_inventory single)
pairable_jobs=(adopt secure)
declare -A pool_jobs=()

run_job() {
  case $1 in
    integration) for venv in "${core_venvs[@]}"; do with_core "$venv" run_integration; done ;;
    *) molecule test --scenario-name "$1" ;;
  esac
}

# The first queued job that may start now: a light one; a pairable one when every heavy one running is pairable; any
# when no heavy one runs.
next_job() {
  local job heavy_running="" lone_running=""
  for job in "${pool_jobs[@]}"; do
    [[ " ${light_jobs[*]} " == *" $job "* ]] && continue
    heavy_running=1
    [[ " ${pairable_jobs[*]} " == *" $job "* ]] || lone_running=1
  done
  for job in "$@"; do
    if [[ " ${light_jobs[*]} " == *" $job "* || -z $heavy_running ]] \
      || [[ -z $lone_running && " ${pairable_jobs[*]} " == *" $job "* ]]; then
      echo "$job"
      return 0
    fi
  done
  return 1
}

run_pool() {
  local queue=() rest=() queued job pid rc logs s
  for job in "${pool_order[@]}" $(cd molecule && printf '%s\n' */molecule.yml | sed 's|/molecule.yml$||' | sort); do
    if [[ $job == integration ]]; then
      [[ " ${steps[*]} " == *" integration "* ]] || continue
      require_dir tests/integration
    else
      [[ " ${steps[*]} " == *" molecule "* && " ${molecule_exclude[*]} " != *" $job "* ]] || continue
    fi
    [[ " ${queue[*]} " == *" $job "* ]] || queue+=("$job")
  done
  step "integration tests and Molecule scenarios (but ${molecule_exclude[*]}), $pool_size at a time, two heavy only if both are in (${pairable_jobs[*]}): ${queue[*]}"
  logs=$(mktemp -d /var/tmp/quorum-jobs.XXXXXX)
  declare -A started=()
  while ((${#queue[@]} + ${#pool_jobs[@]})); do
    while ((${#pool_jobs[@]} < pool_size)) && job=$(next_job "${queue[@]}"); do
      rest=()
      for queued in "${queue[@]}"; do [[ $queued == "$job" ]] || rest+=("$queued"); done
      queue=("${rest[@]}")
      set -m  # a process group of its own: finish() stops a job with everything it started
      (trap - EXIT; run_job "$job") >"$logs/$job.log" 2>&1 &
      set +m
      pool_jobs[$!]=$job started[$!]=$SECONDS
      printf '%s: started\n' "$job"
    done
    rc=0
    wait -n -p pid "${!pool_jobs[@]}" || rc=$?
    job=${pool_jobs[$pid]}
    unset "pool_jobs[$pid]"
    s=$((SECONDS - started[$pid]))
    printf '\n########## %s: %s after %ds, its log:\n' "$job" "$( ((rc)) && echo "FAILED (exit $rc)" || echo passed)" "$s"
    cat "$logs/$job.log"
    timings+=("$(printf '%5ds  %s' "$s" "$job (one of the $pool_size jobs at a time)")")
    ((rc == 0)) || { current="$current: $job"; exit "$rc"; }
  done
  rm -rf "$logs"
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
  if [[ $s == integration || $s == molecule ]]; then
    continue  # run_pool, below
  elif [[ " ${core_steps[*]} " == *" $s "* ]]; then
    for venv in "${core_venvs[@]}"; do with_core "$venv" "run_$s"; done
  else
    "run_$s"
  fi
done
[[ " ${steps[*]} " != *" integration "* && " ${steps[*]} " != *" molecule "* ]] || run_pool
