#!/usr/bin/env bash
# Build the systemd host image the Molecule scenarios and the demo run on.
# No registry is reachable, so the root filesystem comes from debootstrap.
# An existing image is reused; pass --force to rebuild it.
set -euo pipefail
source "$(dirname "$0")/env.sh"

image="$QUORUM_HOST_IMAGE"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ "${1:-}" != "--force" ]] && podman image exists "$image"; then
  echo "image $image exists, reusing it"
  exit 0
fi

for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "build-image.sh: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

rootfs=$(mktemp -d /var/tmp/quorum-rootfs.XXXXXX)
# A failed debootstrap can leave /proc, /sys or /dev mounted in the rootfs:
# never let the clean-up cross into them.
trap 'rm -rf --one-file-system "$rootfs"' EXIT

echo "debootstrap bookworm into $rootfs"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,python3,iproute2,procps,curl,ca-certificates,sudo \
  bookworm "$rootfs" "$mirror"

# An empty machine-id lets systemd generate a distinct one per container.
: > "$rootfs/etc/machine-id"
# Units that only slow boot or fail inside a container (no udev, no ttys,
# no kernel modules to load, no real filesystems to remount).
for unit in systemd-udevd.service systemd-udev-trigger.service systemd-udevd-control.socket \
            systemd-udevd-kernel.socket systemd-modules-load.service systemd-remount-fs.service \
            getty.target console-getty.service systemd-firstboot.service \
            apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
  ln -sfn /dev/null "$rootfs/etc/systemd/system/$unit"
done
# Keep the image small: package lists and the apt cache are rebuilt on demand.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["/sbin/init"]' \
  --change 'STOPSIGNAL SIGRTMIN+3' \
  - "$image"
echo "built $image"
