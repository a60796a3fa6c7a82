#!/usr/bin/env bash
# Device hot-plug benchmarks (benchmarks/devices.md): builds compute-agent.jar, then runs
# dev.computeagent.agent.bench.DeviceBenchmark: attach/detach of a file volume and of a NIC on one
# running Debian guest through the agent against virsh attach-device/detach-device --live --config of
# the same XML, interleaved. Needs root, libvirtd (qemu:///system), qemu-img, virsh, the real guest
# image (scripts/build-guest-image.sh) and RabbitMQ on 127.0.0.1:5672 (or RABBITMQ_HOST/RABBITMQ_PORT).
# Everything it creates is removed afterwards.
#
#   scripts/bench-devices.sh          # n=10 rounds
#   scripts/bench-devices.sh n=20
#
# Run it in a private clone (git clone . /tmp/bench) when others build in this worktree.
set -euo pipefail
cd "$(dirname "$0")/.."

ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(n=10)

exec bash scripts/bench-java.sh DeviceBenchmark "${ARGS[@]}"
