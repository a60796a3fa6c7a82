#!/bin/bash
# =============================================================================
# two-libvirt-hosts.sh - two independent libvirt "hosts" on one Linux machine
# (root required), so tests can live-migrate real QEMU guests between them.
#
#   two-libvirt-hosts.sh up          start hosts a and b (idempotent); prints env
#   two-libvirt-hosts.sh env         KEY=VALUE lines: URIs and directories
#   two-libvirt-hosts.sh exec a|b CMD...   run CMD inside host a's/b's namespaces
#   two-libvirt-hosts.sh status      hosts and their domains
#   two-libvirt-hosts.sh kill-libvirtd a|b   SIGKILL host a's/b's libvirtd (its guests keep running)
#   two-libvirt-hosts.sh start-libvirtd a|b  start it again and wait until it answers
#   two-libvirt-hosts.sh down        stop everything, delete all state (idempotent)
#
# A "host" is a virtlogd + libvirtd (and the qemu processes they start) in their
# own network, mount, PID, UTS and IPC namespaces:
#   net    a private LAN 10.254.7.0/24 on a bridge in netns ca-sw: a = .1,
#          b = .2, the root namespace = .254 (veth ca-root), so clients in the
#          root namespace use qemu+tcp://10.254.7.X/system like a remote agent.
#          No default route: nothing here reaches or is reached from outside.
#   mount  private /etc/libvirt, /run, /var/lib/libvirt, /var/log/libvirt,
#          /var/cache/libvirt: bind mounts of $BASE/hosts/X/{etc,run,lib,log,cache}.
#          So two daemons (and the machine's own libvirtd) share no socket,
#          pid file, domain state, log or cgroup.
#   pid    a small perl PID 1 that reaps at once: libvirt waits until a stopped
#          qemu's pid disappears, and a lazy PID 1 (containers, CI sandboxes)
#          leaves zombies for seconds, slowing every migration and destroy.
#   uts    own hostname ca-a / ca-b.
# Facts this relies on (libvirt 9, QEMU 7.2):
#   - libvirt refuses to migrate to "the same host", judged by host UUID, so
#     each libvirtd.conf sets its own host_uuid.
#   - libvirt refuses live migration of a disk on a local file system unless
#     the migration is flagged unsafe. $BASE/shared is re-mounted onto itself
#     through bindfs with FUSE subtype "glusterfs" inside each host, which
#     libvirt's shared-FS probe accepts (like NFS/Ceph in production). Without
#     bindfs or /dev/fuse, SHARED_FS=none is reported and callers must pass UNSAFE.
#   - /sys is re-mounted in each host, which leaves /sys/fs/cgroup empty: libvirt
#     runs guests without cgroups there. Otherwise both daemons would put the
#     guest of a migration (same name on both sides) into the same cgroup.
#     Consequence: <cputune>/<memtune> are not enforced in these hosts.
#   - qemu.conf migration_address/migration_host = the host's own address, so
#     no migrate URI is needed; ports 49152-49215 for migration and NBD.
#
# Environment: CA_TWOHOSTS_BASE (default /tmp/ca-twohosts),
#   CA_TWOHOSTS_READY_TIMEOUT (seconds, default 90).
# Touches nothing outside $BASE, the netns ca-a/ca-b/ca-sw and the link ca-root.
# Needs: libvirt-daemon-system, qemu-system-x86, iproute2, util-linux, perl;
# optional bindfs + /dev/fuse (shared storage without UNSAFE).
# =============================================================================
set -euo pipefail

SELF=$(readlink -f "$0")
BASE=${CA_TWOHOSTS_BASE:-/tmp/ca-twohosts}
HOSTS_DIR=$BASE/hosts
SHARED_DIR=$BASE/shared
CAPS_SEED=$BASE/caps-seed        # qemu capabilities cache, kept across up/down
READY_TIMEOUT=${CA_TWOHOSTS_READY_TIMEOUT:-90}
NET=10.254.7
declare -A IP=([a]=$NET.1 [b]=$NET.2)
ROOT_IP=$NET.254
declare -A HOST_UUID=([a]=ca7e0000-0000-4000-8000-00000000000a
                      [b]=ca7e0000-0000-4000-8000-00000000000b)

log() { printf '[two-hosts %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sock()     { echo "$HOSTS_DIR/$1/run/libvirt/libvirt-sock"; }
uri_unix() { echo "qemu+unix:///system?socket=$(sock "$1")"; }
uri_tcp()  { echo "qemu+tcp://${IP[$1]}/system"; }
vsh()      { local h=$1; shift; virsh -q -c "$(uri_unix "$h")" "$@"; }

# the host's PID 1, seen from the root namespace: the child of the recorded
# unshare process, checked by its name so a recycled pid is never signalled
init_pid() {
  local h=$1 u c
  u=$(cat "$HOSTS_DIR/$h/unshare.pid" 2>/dev/null) || return 1
  c=$(cat "/proc/$u/task/$u/children" 2>/dev/null) || return 1
  c=${c%% *}
  [ -n "$c" ] && grep -q "ca-twohosts-init-$h" "/proc/$c/cmdline" 2>/dev/null || return 1
  echo "$c"
}

hostexec() {
  local h=$1 p; shift
  p=$(init_pid "$h") || die "host $h is not running"
  nsenter -t "$p" -m -u -i -n -p -- "$@"
}

host_ok() { [ -S "$(sock "$1")" ] && init_pid "$1" >/dev/null && vsh "$1" version >/dev/null 2>&1; }

fuse_usable() { command -v bindfs >/dev/null && [ -c /dev/fuse ]; }

write_configs() {
  local h=$1 H=$HOSTS_DIR/$1
  mkdir -p "$H"/{etc,run/libvirt,lib/images,log/qemu,cache/qemu}
  cat > "$H/etc/libvirtd.conf" <<EOF
host_uuid = "${HOST_UUID[$h]}"
# plain TCP, no auth, only on the private LAN address: the other libvirtd's
# peer-to-peer migration target and the root namespace's clients
listen_tls = 0
listen_tcp = 1
listen_addr = "${IP[$h]}"
auth_tcp = "none"
# no polkit/D-Bus inside: the UNIX socket is root-only instead
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_rw_perms = "0700"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat > "$H/etc/qemu.conf" <<EOF
# AppArmor/SELinux profiles assume the standard paths; DAC still applies
security_driver = "none"
# root: guests may open images in 0700 test temp dirs
user = "root"
group = "root"
dynamic_ownership = 0
migration_address = "${IP[$h]}"
migration_host = "${IP[$h]}"
migration_port_min = 49152
migration_port_max = 49215
EOF
  echo 'log_outputs = "3:file:/var/log/libvirt/virtlogd.log"' > "$H/etc/virtlogd.conf"
  echo 'uri_default = "qemu:///system"' > "$H/etc/libvirt.conf"
  printf '127.0.0.1 localhost\n%s ca-a\n%s ca-b\n' "${IP[a]}" "${IP[b]}" > "$H/hosts"
  if [ -d "$CAPS_SEED" ]; then
    mkdir -p "$H/cache/qemu/capabilities"
    cp -a "$CAPS_SEED"/. "$H/cache/qemu/capabilities/" || true
  fi
}

# PID 1 of host X's new PID namespace, already in its own netns
host_init() {
  local h=$1 fuse=$2 H=$HOSTS_DIR/$1
  [ "$$" = 1 ] || die "host_init must be PID 1"
  hostname "ca-$h"
  umount -l /sys
  mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
  mount --bind "$H/run"   /run
  mount --bind "$H/etc"   /etc/libvirt
  mount --bind "$H/lib"   /var/lib/libvirt
  mount --bind "$H/log"   /var/log/libvirt
  mount --bind "$H/cache" /var/cache/libvirt
  mount --bind "$H/hosts" /etc/hosts
  if [ "$fuse" = yes ]; then
    bindfs -o subtype=glusterfs "$SHARED_DIR" "$SHARED_DIR"
  fi
  virtlogd -d
  libvirtd -d --listen
  exec perl -e '
    use POSIX ":sys_wait_h";
    $0 = "ca-twohosts-init-'"$h"'";
    die "not pid 1\n" unless $$ == 1;
    sub reap_for {
      my ($secs, $pid) = @_; my $end = time + $secs;
      while (time < $end) {
        1 while waitpid(-1, WNOHANG) > 0;
        return if $pid ? !kill(0, $pid) : waitpid(-1, WNOHANG) < 0;
        select(undef, undef, undef, 0.05);
      } }
    sub stop {
      my $l = 0;
      if (open(my $fh, "<", "/run/libvirtd.pid")) { $l = <$fh>; chomp $l; kill("TERM", $l) if $l > 1; }
      reap_for(3, $l) if $l > 1; kill("TERM", -1); reap_for(2); exit 0; }
    $SIG{TERM} = $SIG{INT} = \&stop;
    while (1) { my $p = waitpid(-1, 0); sleep 1 if $p <= 0; }'
}

net_up() {
  local h
  for h in a b sw; do ip netns add "ca-$h"; ip -n "ca-$h" link set lo up; done
  # the bridge lives in its own fresh netns: with br_netfilter loaded, bridged
  # frames meet that netns' (empty) iptables, not the root's FORWARD policy
  ip -n ca-sw link add br0 type bridge stp_state 0 forward_delay 0
  ip -n ca-sw link set br0 up
  for h in a b; do
    ip link add "eth-ca-$h" netns "ca-$h" type veth peer name "sw-$h" netns ca-sw
    ip -n ca-sw link set "sw-$h" master br0 up
    ip -n "ca-$h" addr add "${IP[$h]}/24" dev "eth-ca-$h"
    ip -n "ca-$h" link set "eth-ca-$h" up
  done
  ip link add ca-root type veth peer name sw-root netns ca-sw
  ip -n ca-sw link set sw-root master br0 up
  ip addr add "$ROOT_IP/24" dev ca-root
  ip link set ca-root up
}

net_down() {
  local h
  ip link del ca-root 2>/dev/null || true
  for h in a b sw; do
    [ -e "/run/netns/ca-$h" ] || continue
    ip netns del "ca-$h"
  done
}

host_start() {
  local h=$1 H=$HOSTS_DIR/$1 fuse=no
  fuse_usable && fuse=yes
  write_configs "$h"
  # setsid: detached from the caller's session; unshare stays in the root pid
  # namespace as the parent of the host's PID 1
  setsid nsenter --net=/run/netns/"ca-$h" -- \
    unshare --pid --fork --mount-proc --mount --uts --ipc --propagation private -- \
    bash "$SELF" __init "$h" "$fuse" </dev/null >"$H/init.log" 2>&1 &
  echo $! > "$H/unshare.pid"
  echo "$fuse" > "$BASE/shared-fuse"
}

wait_ready() {
  local h=$1 deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until vsh "$h" version >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$HOSTS_DIR/$h/unshare.pid")" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
      cat "$HOSTS_DIR/$h/init.log" >&2 || true
      tail -20 "$HOSTS_DIR/$h/log/libvirtd.log" >&2 || true
      die "host $h did not come up"
    fi
    sleep 0.1
  done
}

cmd_up() {
  local h t0
  if host_ok a && host_ok b; then cmd_env; return 0; fi
  teardown >/dev/null 2>&1 || true
  t0=$(date +%s%N)
  mkdir -p "$HOSTS_DIR" "$SHARED_DIR"
  net_up
  for h in a b; do host_start "$h"; done
  for h in a b; do wait_ready "$h"; done
  if [ ! -d "$CAPS_SEED" ] && compgen -G "$HOSTS_DIR/a/cache/qemu/capabilities/*.xml" >/dev/null; then
    mkdir -p "$CAPS_SEED.tmp"; cp -a "$HOSTS_DIR"/a/cache/qemu/capabilities/*.xml "$CAPS_SEED.tmp"/
    mv "$CAPS_SEED.tmp" "$CAPS_SEED"
  fi
  # each libvirtd must reach the other's TCP listener (peer-to-peer migration)
  hostexec a virsh -q -c "$(uri_tcp b)" hostname >/dev/null || die "a cannot reach b's libvirtd"
  hostexec b virsh -q -c "$(uri_tcp a)" hostname >/dev/null || die "b cannot reach a's libvirtd"
  log "both hosts up after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  cmd_env
}

teardown() {
  local h p u d
  for h in a b; do
    [ -d "$HOSTS_DIR/$h" ] || continue
    if host_ok "$h"; then
      for d in $(vsh "$h" list --name 2>/dev/null); do vsh "$h" destroy "$d" >/dev/null 2>&1 || true; done
    fi
    if p=$(init_pid "$h"); then
      kill -TERM "$p" 2>/dev/null || true
      for _ in $(seq 100); do grep -q "ca-twohosts-init-$h" "/proc/$p/cmdline" 2>/dev/null || break; sleep 0.1; done
      # killing a PID 1 kills its whole PID namespace
      grep -q "ca-twohosts-init-$h" "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" || true
    fi
    u=$(cat "$HOSTS_DIR/$h/unshare.pid" 2>/dev/null || true)
    if [ -n "$u" ] && grep -q "__init" "/proc/$u/cmdline" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$u" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  net_down
  rm -rf "$HOSTS_DIR" "$SHARED_DIR" "$BASE/shared-fuse"
}

cmd_env() {
  cat <<EOF
URI_A=$(uri_unix a)
URI_B=$(uri_unix b)
TCP_URI_A=$(uri_tcp a)
TCP_URI_B=$(uri_tcp b)
IP_A=${IP[a]}
IP_B=${IP[b]}
ROOT_IP=$ROOT_IP
HOST_DIR_A=$HOSTS_DIR/a
HOST_DIR_B=$HOSTS_DIR/b
SHARED_DIR=$SHARED_DIR
SHARED_FS=$([ "$(cat "$BASE/shared-fuse" 2>/dev/null)" = yes ] && echo glusterfs || echo none)
EOF
}

# a libvirtd crash: SIGKILL through its pid file (only this host's daemon), then wait until it is gone;
# QEMU runs on (reparented to the host's PID 1) and the restarted daemon reattaches to it
cmd_kill_libvirtd() {
  local h=$1 p
  p=$(hostexec "$h" cat /run/libvirtd.pid) || die "host $h has no libvirtd pid file"
  hostexec "$h" kill -KILL "$p"
  for _ in $(seq 100); do
    hostexec "$h" kill -0 "$p" 2>/dev/null || { log "libvirtd of host $h killed"; return 0; }
    sleep 0.1
  done
  die "libvirtd of host $h did not die"
}

cmd_start_libvirtd() {
  local h=$1
  hostexec "$h" libvirtd -d --listen
  wait_ready "$h"
  log "libvirtd of host $h answers again"
}

cmd_status() {
  local h
  for h in a b; do
    if host_ok "$h"; then echo "host $h: up (init pid $(init_pid "$h"))"; vsh "$h" list --all | sed 's/^/    /'
    else echo "host $h: down"; fi
  done
}

case "${1:-}" in
  up)     cmd_up ;;
  down)   teardown; log "down" ;;
  env)    cmd_env ;;
  status) cmd_status ;;
  exec)   shift; h=${1:?host}; shift; hostexec "$h" "$@" ;;
  kill-libvirtd)  cmd_kill_libvirtd "${2:?host}" ;;
  start-libvirtd) cmd_start_libvirtd "${2:?host}" ;;
  __init) shift; host_init "$@" ;;
  *)      sed -n '2,12p' "$SELF"; exit 2 ;;
esac
