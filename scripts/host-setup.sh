#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host (as root) for the agent and its test suite: installs the
# packages, starts virtlogd, libvirtd and dockerd when no init system does, and makes sure
# RabbitMQ answers on 127.0.0.1:5672. Idempotent. Used by .ci/run and the README's quick start.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup %s] %s\n' "$(date +%T)" "$*"; }

PACKAGES=(
  openjdk-17-jdk-headless                     # build and run (Java 17)
  libvirt-daemon-system libvirt-clients libvirt0   # libvirtd, virsh, virt-admin, libvirt.so for JNA
  qemu-system-x86 qemu-utils                  # guests, qemu-img
  dnsmasq-base                                # DHCP of libvirt NAT networks (tests define their own)
  genisoimage                                 # config drives (user data); isoinfo reads them in tests
  libxml2-utils                               # xmllint, used by virt-xml-validate
  util-linux procps iproute2 perl curl        # prlimit, nsenter/unshare, ip netns (migration hosts)
  openssl                                     # the throw-away CA of the TLS broker test
  bindfs fuse3                                # shared storage seen as a cluster FS by libvirt
  rabbitmq-server                             # the broker the tests talk to
  mmdebstrap grub-pc-bin grub2-common fdisk e2fsprogs   # the real Linux test guest (scripts/build-guest-image.sh)
  docker.io                                   # the container image and the Testcontainers brokers in the tests
  xfsprogs                                    # xfs_io: the power-loss tests shut a loop-mounted ext4 down
  tgt qemu-block-extra                        # iSCSI volumes: a user-space target (tests) and QEMU's own initiator
  iptables                                    # ebtables/iptables: libvirt nwfilter (security groups) and the tests that read them
)

if [ "${SKIP_APT:-}" != 1 ]; then
  log "installing Debian packages"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  # npm runs the Dockerfile linter in the tests; some images ship Node.js from elsewhere,
  # whose own npm must not be replaced by Debian's
  command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  # the Dockerfile linter itself (compute-agent DockerfileLintWithDockerfileUtilsTest), pinned
  command -v dockerfile-utils >/dev/null \
    || npm install -g --no-fund --no-audit --loglevel=error dockerfile-utils@0.16.3 >/dev/null
fi

# No udev here: give /dev/kvm the group and mode Debian's udev rule gives it (root:kvm 0660). QEMU
# runs as libvirt-qemu (group kvm); with the kernel's default 0600 libvirt finds KVM unusable for it
# while its probe finds KVM enabled, so it re-probes QEMU on every call (defines stall for seconds
# to minutes) and guests of type kvm are refused.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
  chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi

log "starting virtlogd and libvirtd"
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 120); do
  virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.5
done
virsh -c qemu:///system version >/dev/null || { echo "libvirtd does not answer" >&2; exit 1; }

# Debian's docker.io client (/usr/bin/docker) builds with BuildKit on its own; a newer client found
# first on the PATH may need the buildx plugin for that, so the tests use /usr/bin/docker.
log "starting dockerd"
docker_up() { /usr/bin/docker version >/dev/null 2>&1; }
if ! command -v dockerd >/dev/null; then
  # only with SKIP_APT=1 on a machine without docker.io: the container tests skip (or fail under CI=true)
  log "no dockerd installed (apt-get install docker.io): the container tests cannot run"
elif ! docker_up; then
  if [ -d /run/systemd/system ]; then
    systemctl start docker
  elif ! pgrep -x dockerd >/dev/null; then
    setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 120); do docker_up && break; sleep 0.5; done
  docker_up || { echo "dockerd does not answer (log: /var/log/dockerd.log)" >&2; exit 1; }
fi

log "making sure RabbitMQ answers on 127.0.0.1:5672"
rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! rabbit_up; then
  rabbitmq-server -detached || true
  for _ in $(seq 120); do rabbit_up && break; sleep 1; done
fi
rabbit_up || { echo "RabbitMQ does not answer on 127.0.0.1:5672" >&2; exit 1; }
# TCP answers before the broker accepts logins: wait for the application to be up
rabbitmqctl -q await_startup --timeout 120 >/dev/null 2>&1 || rabbitmqctl -q await_startup >/dev/null 2>&1 || true
log "host ready"
