#!/usr/bin/env bash
# Agent benchmarks (benchmarks/agent.md): builds compute-agent.jar, then runs
# dev.computeagent.agent.bench.AgentBenchmark, which starts the jar once per JVM option profile and
# measures start-up, RSS (idle, with N running tiny instances, after a load of power commands on them
# and after a fuzz run of mutated envelopes), warm-cache spawn latency against the raw floor
# (qemu-img create + virDomainDefineXML + virDomainCreate, interleaved), a burst of concurrent spawns
# against as many parallel raw floors, and the rejected-message flood. Needs root, libvirtd (qemu:///system), qemu-img and RabbitMQ on
# 127.0.0.1:5672 (or RABBITMQ_HOST/RABBITMQ_PORT). Everything it creates is removed afterwards.
#
#   scripts/bench-agent.sh                                  # defaults below
#   scripts/bench-agent.sh profiles=tuned n=31 guests=50 flood=5000 starts=5
#   scripts/bench-agent.sh profiles=default,tuned burst=10 bursts=5 load=6 fuzz=2000 settle=20
#   scripts/bench-agent.sh profiles=tuned tuned="-XX:+UseSerialGC -Xmx96m"
#
# Run it in a private clone (git clone . /tmp/bench) when others build in this worktree: a
# concurrent build would replace target/compute-agent.jar under the running benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(profiles=default,tuned n=15 starts=3 guests=50 flood=5000)

exec bash scripts/bench-java.sh AgentBenchmark "${ARGS[@]}"
