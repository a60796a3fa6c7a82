#!/usr/bin/env bash
# Container start-up benchmark (BENCHMARKS.md, "Container start-up"): time from `docker run` to
# the first 200 of /actuator/health/readiness, for the image as built (with its class-data-sharing
# archive and Spring AOT, as its ENTRYPOINT starts it) and for the same image started as a plain
# `java -jar` (neither the archive nor AOT), interleaved, N rounds.
#
#   scripts/bench-container-start.sh [rounds=5]
#
# Needs root, dockerd, libvirtd and RabbitMQ on 127.0.0.1:5672 (scripts/host-setup.sh) and the jar
# (./mvnw -B -ntp -DskipTests package). Builds the image like the tests do (local Debian base
# images, AGENT_JAR=prebuilt). The agent runs as root here (the machine's libvirtd socket asks
# polkit for other users); start-up does not depend on the uid. Unique agent.host, own state dir,
# REST on a free port; the containers, the image (its layers stay in the build cache) and the state
# directory are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=5
for arg in "$@"; do case "$arg" in rounds=*) ROUNDS=${arg#rounds=} ;; *) echo "unknown: $arg" >&2; exit 2 ;; esac; done
DOCKER=${DOCKER:-/usr/bin/docker}
IMAGE=compute-agent-local/agent:bench
HOST=bench-ctr-$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
STATE=$(mktemp -d /var/tmp/bench-container-XXXXXX)
chmod 755 "$STATE"
trap '"$DOCKER" rm -f -v "$HOST" >/dev/null 2>&1 || true; "$DOCKER" rmi "$IMAGE" >/dev/null 2>&1 || true; rm -rf "$STATE"' EXIT

[ -f compute-agent/target/compute-agent.jar ] || { echo "build the jar first: ./mvnw -B -ntp -DskipTests package" >&2; exit 1; }
JDK=$(bash scripts/build-container-base.sh jdk17)
JRE=$(bash scripts/build-container-base.sh jre17)
DOCKER_BUILDKIT=1 "$DOCKER" build -q --build-arg BUILD_IMAGE="$JDK" --build-arg RUNTIME_IMAGE="$JRE" \
  --build-arg AGENT_JAR=prebuilt -t "$IMAGE" . >/dev/null

start_ms() { # $1 = cds | plain
  local extra=()
  if [ "$1" = plain ]; then extra=(--entrypoint java); fi
  local t0 t1
  t0=$(date +%s%N)
  "$DOCKER" run -d --name "$HOST" --network host --user 0:0 -v /run/libvirt:/run/libvirt -v "$STATE:$STATE" \
    -e AGENT_HOST="$HOST" -e AGENT_STATE_DIR="$STATE" -e SERVER_PORT="$PORT" -e AGENT_LIBVIRT_VIRT_TYPE=qemu \
    "${extra[@]}" "$IMAGE" ${extra:+-jar compute-agent.jar} >/dev/null
  until curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1; do
    [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$HOST")" = true ] || { "$DOCKER" logs "$HOST" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  "$DOCKER" rm -f -v "$HOST" >/dev/null
  echo $(( (t1 - t0) / 1000000 ))
}

echo "image $IMAGE ($("$DOCKER" inspect -f '{{.Id}}' "$IMAGE" | cut -c8-19)), load $(cut -d' ' -f1-3 /proc/loadavg)"
CDS=(); PLAIN=()
for i in $(seq "$ROUNDS"); do
  CDS+=("$(start_ms cds)")
  PLAIN+=("$(start_ms plain)")
  echo "round $i: with CDS ${CDS[-1]} ms, without ${PLAIN[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median: with CDS $(median "${CDS[@]}") ms, without $(median "${PLAIN[@]}") ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
# the queues of this benchmark's agent.host
rabbitmqctl -q delete_queue "compute.$HOST" >/dev/null 2>&1 || true
rabbitmqctl -q delete_queue "compute.$HOST.dead" >/dev/null 2>&1 || true
