#!/usr/bin/env bash
# Build what the install scenario's mirror host serves (molecule/install), in DIR:
#   consul/<version>/consul_<version>_linux_amd64.zip and consul_<version>_SHA256SUMS,
#     HashiCorp's release layout, for 1.8.7 and a stand-in 1.8.8 (below);
#   apt/: an apt repository (suite quorum, component main) holding Debian's consul
#     1.8.7 package, its Release signed with a key made for this run, and that
#     key's public half as apt/gpg.
#   scripts/build-test-mirror.sh DIR CONSUL_BINARY CONSUL_DEB
# Only Consul 1.8.7 is reachable from here, so 1.8.8 is a stand-in for a newer
# release: the 1.8.7 binary with a few bytes appended (an ELF file runs with
# trailing bytes), so its checksum differs and the role sees a new binary.
# It still reports version 1.8.7.
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 DIR CONSUL_BINARY CONSUL_DEB" >&2; exit 2; }
out=$1 binary=$2 deb=$3
for tool in zip gpg dpkg-scanpackages; do
  command -v "$tool" >/dev/null || { echo "build-test-mirror.sh: $tool is missing" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d /var/tmp/quorum-mirror.XXXXXX)
trap 'rm -rf "$work"' EXIT

release() {  # release VERSION SUFFIX: a zip whose consul is the binary followed by SUFFIX
  local version=$1 dir="$out/consul/$1" zip="consul_$1_linux_amd64.zip"
  mkdir -p "$dir" "$work/$version"
  cp "$binary" "$work/$version/consul"
  printf '%s' "$2" >> "$work/$version/consul"
  chmod 0755 "$work/$version/consul"
  # -X: no extra attributes, so the same binary always gives the same zip
  (cd "$work/$version" && zip -q -X "$dir/$zip" consul)
  (cd "$dir" && sha256sum "$zip" > "consul_${version}_SHA256SUMS")
}
release 1.8.7 ""
release 1.8.8 "quorum.consul test stand-in for 1.8.8"

# The repository: pool, Packages, a Release listing their checksums, signed inline and detached.
repo="$out/apt"
mkdir -p "$repo/pool/main/c/consul" "$repo/dists/quorum/main/binary-amd64"
cp "$deb" "$repo/pool/main/c/consul/"
(cd "$repo" && dpkg-scanpackages --multiversion pool /dev/null > dists/quorum/main/binary-amd64/Packages 2>/dev/null)
gzip -9kn "$repo/dists/quorum/main/binary-amd64/Packages"
{
  echo "Origin: quorum.consul tests"
  echo "Label: quorum.consul tests"
  echo "Suite: quorum"
  echo "Codename: quorum"
  echo "Date: $(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S UTC')"
  echo "Architectures: amd64"
  echo "Components: main"
  echo "SHA256:"
  (cd "$repo/dists/quorum" && for f in main/binary-amd64/Packages main/binary-amd64/Packages.gz; do
     printf ' %s %s %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
   done)
} > "$repo/dists/quorum/Release"

# A throwaway key: made here, used once, its secret half deleted with $work.
export GNUPGHOME="$work/gnupg"
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'quorum.consul test repository' ed25519 sign 1d
gpg --batch --quiet --yes --clearsign -o "$repo/dists/quorum/InRelease" "$repo/dists/quorum/Release"
gpg --batch --quiet --yes --detach-sign --armor -o "$repo/dists/quorum/Release.gpg" "$repo/dists/quorum/Release"
gpg --batch --quiet --export --armor > "$repo/gpg"
echo "mirror in $out"
