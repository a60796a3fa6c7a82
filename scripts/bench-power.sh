#!/usr/bin/env bash
# Power benchmarks (benchmarks/lifecycle.md): builds compute-agent.jar, then runs
# dev.computeagent.agent.bench.PowerBenchmark: pause/unpause and suspend/resume of one tiny guest
# through the agent against virsh suspend/resume and managedsave/start on the same guest,
# interleaved. Needs root, libvirtd (qemu:///system), qemu-img, virsh and RabbitMQ on 127.0.0.1:5672
# (or RABBITMQ_HOST/RABBITMQ_PORT). Everything it creates is removed afterwards.
#
#   scripts/bench-power.sh          # n=10 rounds
#   scripts/bench-power.sh n=20
#
# Run it in a private clone (git clone . /tmp/bench) when others build in this worktree.
set -euo pipefail
cd "$(dirname "$0")/.."

ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(n=10)

exec bash scripts/bench-java.sh PowerBenchmark "${ARGS[@]}"
