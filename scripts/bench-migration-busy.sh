#!/usr/bin/env bash
# Busy-guest migration benchmark (benchmarks/migration-busy.md): builds the modules (nothing is installed), then runs
# dev.computeagent.agent.bench.BusyGuestMigrationBenchmark, which starts the two-libvirt-host harness, a
# Glance stub and one agent JVM per host (post-copy permitted) on RabbitMQ, boots the real Debian guest
# with a stress-ng workload and moves it with the agent's `migrate`, with `virsh migrate --auto-converge`
# and with `virsh migrate --postcopy --postcopy-after-precopy`, all at the same bandwidth. Needs root,
# libvirtd, bindfs, qemu-img, RabbitMQ on 127.0.0.1:5672 and the real guest image (scripts that build it:
# see RealGuestImage). Everything it creates is removed afterwards.
#
#   scripts/bench-migration-busy.sh                                    # rounds=1 bandwidth=4 workload=128
#   scripts/bench-migration-busy.sh rounds=3 bandwidth=8 workload=256 postCopyAfter=20 timeout=300
set -euo pipefail
cd "$(dirname "$0")/.."

exec bash scripts/bench-java.sh BusyGuestMigrationBenchmark "$@"
