#!/usr/bin/env bash
# Agent-level migration benchmark (benchmarks/migration-agent.md): builds the modules (nothing is installed),
# then runs dev.computeagent.agent.bench.AgentMigrationBenchmark, which starts the two-libvirt-host
# harness, a Glance stub and one agent JVM per host on RabbitMQ, and migrates one idle tiny instance
# there and back with the `migrate` command, interleaved with plain `virsh migrate --live --p2p
# --persistent --undefinesource` of an unowned twin guest. Needs root, libvirtd, bindfs, qemu-img and
# RabbitMQ on 127.0.0.1:5672 (or RABBITMQ_HOST/RABBITMQ_PORT). Everything it creates is removed
# afterwards (the harness's hosts, domains, agents, queues, temp dirs).
#
#   scripts/bench-migration-agent.sh                         # rounds=10 virt=auto mode=shared
#   scripts/bench-migration-agent.sh rounds=20 virt=qemu mode=block logs=/var/tmp/mig-logs
set -euo pipefail
cd "$(dirname "$0")/.."

exec bash scripts/bench-java.sh AgentMigrationBenchmark "$@"
