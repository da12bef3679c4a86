#!/usr/bin/env bash
# Print the path of a Consul binary for the tests and the demo, fetching it if needed.
# Order: $CONSUL_BINARY, `consul` on PATH, the cached .deb in ../shared/consul/,
# then Debian bullseye's package. Every .deb is checked against the pinned SHA256.
#   scripts/get-consul.sh --deb   print the path of that .deb instead (the install
#                                 scenario serves it from a test apt repository)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
deb_name="consul_1.8.7+dfsg1-2+b3_amd64.deb"
deb_sha256="e4e888bba104daba1d9161f49bfc52649a7e4efd45b1a7ead5bc54f2cb9c89d9"
cache="$repo/.cache/consul"
binary="$cache/root/usr/bin/consul"

# Leaves the pinned .deb, checked, in $cache (kept there: a later call reuses it).
fetch_deb() {
  mkdir -p "$cache"
  deb="$cache/$deb_name"
  shared_deb="$repo/../shared/consul/$deb_name"
  if [[ -f "$deb" ]] && echo "$deb_sha256  $deb" | sha256sum --check --quiet - >/dev/null 2>&1; then
    return 0
  elif [[ -f "$shared_deb" ]]; then
    cp "$shared_deb" "$deb"
  else
    echo "fetching $deb_name from Debian bullseye" >&2
    lists="$cache/apt-lists"
    mkdir -p "$lists/partial"
    echo "deb [trusted=yes] http://deb.debian.org/debian bullseye main" > "$cache/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$lists" -o Debug::NoLocking=1)
    apt-get "${apt_opts[@]}" update -qq >&2
    (cd "$cache" && apt-get "${apt_opts[@]}" download "consul=1.8.7+dfsg1-2+b3" >&2)
  fi
  echo "$deb_sha256  $deb" | sha256sum --check --quiet - >&2 || { echo "checksum mismatch for $deb" >&2; rm -f "$deb"; exit 1; }
}

if [[ ${1:-} == --deb ]]; then
  fetch_deb
  echo "$deb"; exit 0
fi
if [[ -n "${CONSUL_BINARY:-}" ]]; then
  [[ -x "$CONSUL_BINARY" ]] || { echo "CONSUL_BINARY=$CONSUL_BINARY is not an executable file" >&2; exit 1; }
  echo "$CONSUL_BINARY"; exit 0
fi
if command -v consul >/dev/null 2>&1; then
  command -v consul; exit 0
fi
if [[ -x "$binary" ]]; then
  echo "$binary"; exit 0
fi

fetch_deb
dpkg -x "$deb" "$cache/root"
"$binary" version >&2
echo "$binary"
