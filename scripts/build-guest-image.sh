#!/usr/bin/env bash
# Builds the real Linux test guest: a Debian 12 cloud image made from Debian packages only
# (the cloud kernel, systemd, udev, cloud-init reading the ConfigDrive data source,
# qemu-guest-agent, a DHCP client, GRUB on the serial console), as a compressed qcow2 of
# 2 GiB virtual size. Prints the image's path on stdout.
#
# The image is cached outside the repository, keyed by a hash of this recipe, so a machine
# builds it once (~80 s) and every later call answers at once. Concurrent callers wait for
# one build (flock). mmdebstrap uses the machine's own apt sources: no mirror address here.
#
#   scripts/build-guest-image.sh            build when needed, print the path
#   GUEST_IMAGE_CACHE=/dir scripts/...      cache somewhere else (default below)
#
# Needs root, loop devices, and the packages scripts/host-setup.sh installs (mmdebstrap,
# grub-pc-bin, grub2-common, fdisk, e2fsprogs, qemu-utils).
set -euo pipefail

PACKAGES=linux-image-cloud-amd64,systemd-sysv,udev,dbus,cloud-init,qemu-guest-agent,isc-dhcp-client,ifupdown,e2fsprogs,iproute2,procps,netcat-openbsd,stress-ng
SUITE=bookworm
SIZE=2G
# Anything that changes the image changes this line, and so the cache key.
RECIPE="v2 $SUITE $SIZE $PACKAGES grub-serial-ttyS0 configdrive-datasource eni-interfaces-d initramfs-modules-list"
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-16)
CACHE=${GUEST_IMAGE_CACHE:-/var/cache/compute-agent/test-images}
OUT=$CACHE/debian-12-$KEY.qcow2

log() { printf '[guest-image %s] %s\n' "$(date +%T)" "$*" >&2; }

[ -s "$OUT" ] && { echo "$OUT"; exit 0; }

missing=()
for cmd in mmdebstrap grub-install sfdisk mkfs.ext4 losetup qemu-img flock; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]} (run scripts/host-setup.sh, or apt-get install mmdebstrap grub-pc-bin grub2-common fdisk e2fsprogs qemu-utils util-linux)" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "building the guest image needs root (loop devices, mount)" >&2; exit 1; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9
# another caller may have built it while this one waited
[ -s "$OUT" ] && { echo "$OUT"; exit 0; }

WORK=$(mktemp -d "$CACHE/.build-XXXXXX")
PART_LOOP=
DISK_LOOP=
cleanup() {
  mountpoint -q "$WORK/mnt" 2>/dev/null && umount "$WORK/mnt"
  [ -n "$PART_LOOP" ] && losetup -d "$PART_LOOP" 2>/dev/null
  [ -n "$DISK_LOOP" ] && losetup -d "$DISK_LOOP" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

log "building $OUT (recipe $KEY)"
ROOT=$WORK/rootfs
# GRUB reads the kernel and initrd through BIOS calls, which under TCG is the slowest part of the
# boot (~1.5 MB/s): an initrd with only the modules a virtio guest needs to mount its root (5.8 MB
# instead of 15 MB) saves seconds on every boot
INITRAMFS_HOOK='echo MODULES=list >"$1/etc/initramfs-tools/conf.d/modules-list"
printf "virtio_pci\nvirtio_blk\n" >>"$1/etc/initramfs-tools/modules"
chroot "$1" update-initramfs -u'
if ! mmdebstrap --variant=minbase --include="$PACKAGES" --mode=root --customize-hook="$INITRAMFS_HOOK" \
    "$SUITE" "$ROOT" >"$WORK/mmdebstrap.log" 2>&1; then
  tail -20 "$WORK/mmdebstrap.log" >&2
  exit 1
fi

echo 'LABEL=root / ext4 defaults 0 1' >"$ROOT/etc/fstab"
echo debian >"$ROOT/etc/hostname"
# an empty machine-id: systemd makes a new one on first boot, so clones do not share it
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
echo 'datasource_list: [ ConfigDrive, None ]' >"$ROOT/etc/cloud/cloud.cfg.d/90-datasources.cfg"
# cloud-init writes the network configuration it reads from network_data.json into interfaces.d
printf 'auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n' >"$ROOT/etc/network/interfaces"
mkdir -p "$ROOT/etc/network/interfaces.d"

KERNEL=$(cd "$ROOT/boot" && ls vmlinuz-*)
INITRD=$(cd "$ROOT/boot" && ls initrd.img-*)

truncate -s "$SIZE" "$WORK/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$WORK/disk.raw"
DISK_LOOP=$(losetup -f --show "$WORK/disk.raw")
# no udev on these hosts: `losetup -P` partition nodes never appear, so loop the partition by offset
PART_LOOP=$(losetup -f --show -o $((2048 * 512)) "$WORK/disk.raw")
mkfs.ext4 -q -L root -d "$ROOT" "$PART_LOOP"
mkdir -p "$WORK/mnt"
mount "$PART_LOOP" "$WORK/mnt"
mkdir -p "$WORK/mnt/boot/grub"
cat >"$WORK/mnt/boot/grub/grub.cfg" <<CFG
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry debian {
  search --no-floppy --label root --set=root
  linux /boot/$KERNEL root=LABEL=root ro console=ttyS0,115200
  initrd /boot/$INITRD
}
CFG
grub-install --target=i386-pc --boot-directory="$WORK/mnt/boot" \
  --modules="part_msdos ext2 search_label serial" --force "$DISK_LOOP" >"$WORK/grub.log" 2>&1 \
  || { cat "$WORK/grub.log" >&2; exit 1; }
umount "$WORK/mnt"
losetup -d "$PART_LOOP"; PART_LOOP=
losetup -d "$DISK_LOOP"; DISK_LOOP=

qemu-img convert -c -O qcow2 "$WORK/disk.raw" "$OUT.part"
mv "$OUT.part" "$OUT"
sync -f "$OUT"
log "built $OUT ($(du -h "$OUT" | cut -f1))"
echo "$OUT"
