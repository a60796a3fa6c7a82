#!/usr/bin/env bash
# Runs the whole benchmark set of BENCHMARKS.md, one after the other, on this machine (root,
# libvirtd, qemu-img, RabbitMQ on 127.0.0.1:5672, dockerd: `bash scripts/host-setup.sh` first).
# Each benchmark prints its figures; none of them is part of `./mvnw verify`. The busy-guest migration
# (scripts/bench-migration-busy.sh, ~10 min) is not in this set.
# Run it in a private clone when others build in this worktree (target/ is rebuilt here).
set -euo pipefail
cd "$(dirname "$0")/.."

run() { printf '\n==== %s ====\n' "$1"; shift; "$@"; }

run "driver: spawn through LibvirtComputeDriver vs raw libvirt calls (benchmarks/driver.md)" \
  bash scripts/bench-java.sh dev.computeagent.virt.libvirt.binding.SpawnBenchmark 20

run "image cache: cold 1 GiB fetch vs curl + sha512sum + qemu-img convert (benchmarks/image-cache.md)" \
  bash scripts/bench-java.sh dev.computeagent.image.bench.ImageCacheBenchmark /var/tmp/ic-bench 5

run "migration: driver vs virsh migrate between two libvirt hosts (benchmarks/migration.md)" \
  bash scripts/bench-java.sh dev.computeagent.virt.libvirt.migration.MigrationBenchmark 10

run "migration through two agents vs virsh migrate (benchmarks/migration-agent.md)" \
  bash scripts/bench-java.sh dev.computeagent.agent.bench.AgentMigrationBenchmark rounds=10

run "agent: start-up, RSS, warm spawn vs floor, rejected-message flood (benchmarks/agent.md)" \
  bash scripts/bench-agent.sh

run "pause/unpause, suspend/resume vs virsh (benchmarks/lifecycle.md)" \
  bash scripts/bench-power.sh n=20

run "attach/detach of a volume and a NIC vs virsh (benchmarks/devices.md)" \
  bash scripts/bench-devices.sh n=10

run "container: docker run to readiness, with and without the image's CDS archive (BENCHMARKS.md)" \
  bash scripts/bench-container-start.sh rounds=5

run "snapshot of a running real guest to the HTTP store vs qemu-img convert + curl -T (benchmarks/snapshot.md)" \
  bash scripts/bench-java.sh dev.computeagent.agent.bench.SnapshotBenchmark 5 PT15M
