#!/usr/bin/env bash
# The README's quick start: on a fresh Debian/Ubuntu host (as root) it builds the agent, brings
# up libvirt + QEMU and the local RabbitMQ, writes a tiny bootable image into a local directory
# image store, starts the agent, spawns an instance through the broker, and shows the instance
# from /v1/instances and its serial console. The agent keeps running afterwards; the script
# prints how to delete the instance and stop the agent.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=${AGENT_HOST:-quickstart}
STATE_DIR=${AGENT_STATE_DIR:-/var/lib/compute-agent}
STORE_DIR=${QUICKSTART_STORE:-/var/lib/compute-agent-images}
PORT=${SERVER_PORT:-8080}
RUN_DIR=${QUICKSTART_RUN_DIR:-/tmp/compute-agent-quickstart}
VERSION=0.1.0-SNAPSHOT

log() { printf '\n==> %s\n' "$*"; }

log "preparing the host (packages, libvirtd, virtlogd, RabbitMQ)"
bash scripts/host-setup.sh

log "building the agent (tests are the other command)"
./mvnw -B -ntp -q -DskipTests package

mkdir -p "$RUN_DIR" "$STORE_DIR" "$STATE_DIR"
if [ -f "$RUN_DIR/agent.pid" ] && kill -0 "$(cat "$RUN_DIR/agent.pid")" 2>/dev/null; then
  log "stopping the previous quick-start agent"
  kill "$(cat "$RUN_DIR/agent.pid")"
  for _ in $(seq 150); do kill -0 "$(cat "$RUN_DIR/agent.pid")" 2>/dev/null || break; sleep 1; done
fi

log "writing a tiny bootable image into the directory store $STORE_DIR"
java -cp "virt-driver-api/target/virt-driver-api-$VERSION-tests.jar" \
  dev.computeagent.virt.testing.TinyGuestImage "$STORE_DIR/tiny-guest" >/dev/null
cat > "$STORE_DIR/tiny-guest.json" <<JSON
{"id": "tiny-guest", "status": "active", "disk_format": "raw", "container_format": "bare",
 "size": $(stat -c %s "$STORE_DIR/tiny-guest"),
 "os_hash_algo": "sha512", "os_hash_value": "$(sha512sum "$STORE_DIR/tiny-guest" | cut -d' ' -f1)"}
JSON

# Recommended JVM options (BENCHMARKS.md: RSS and start-up) plus a class-data-sharing archive
# made by a training run that stops once the context is refreshed: start-up about halves.
JVM_OPTS=(-XX:+UseSerialGC -Xms32m -Xmx128m -Xss512k -XX:MaxMetaspaceSize=128m
  -XX:ReservedCodeCacheSize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError)
export AGENT_HOST=$HOST AGENT_STATE_DIR=$STATE_DIR AGENT_IMAGE_STORE_URL="file://$STORE_DIR" SERVER_PORT=$PORT
log "preparing the agent's class-data-sharing archive"
rm -rf "$RUN_DIR/app"
java -Djarmode=tools -jar compute-agent/target/compute-agent.jar extract --destination "$RUN_DIR/app" >/dev/null
java "${JVM_OPTS[@]}" -XX:ArchiveClassesAtExit="$RUN_DIR/app/agent.jsa" -Dspring.context.exit=onRefresh \
  -jar "$RUN_DIR/app/compute-agent.jar" >"$RUN_DIR/cds-training.log" 2>&1

log "starting the agent (log: $RUN_DIR/agent.log)"
nohup java "${JVM_OPTS[@]}" -XX:SharedArchiveFile="$RUN_DIR/app/agent.jsa" \
  -jar "$RUN_DIR/app/compute-agent.jar" >"$RUN_DIR/agent.log" 2>&1 &
echo $! > "$RUN_DIR/agent.pid"
for _ in $(seq 120); do
  curl -fsS "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$(cat "$RUN_DIR/agent.pid")" 2>/dev/null || { tail -50 "$RUN_DIR/agent.log"; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/actuator/health/readiness"; echo

UUID=$(cat /proc/sys/kernel/random/uuid)
# the operator CLI (README "Operator CLI") takes the broker from SPRING_RABBITMQ_* like the agent
# (here: the local broker's defaults) and the agent's REST API from COMPUTE_AGENT_API
export COMPUTE_AGENT_API="http://127.0.0.1:$PORT"
CTL=bin/compute-agent-ctl
log "spawning instance $UUID through RabbitMQ: $CTL spawn --host $HOST ..."
$CTL spawn --host "$HOST" --uuid "$UUID" --name "hello <world> & friends" --image tiny-guest \
  --flavor vcpus=1,ram=64,disk=1 --meta "purpose=quick start" --timeout 180

log "$CTL show $UUID"
$CTL show "$UUID"

log "the guest's serial console ($STATE_DIR/instances/$UUID/console.log)"
for _ in $(seq 60); do grep -q TICK "$STATE_DIR/instances/$UUID/console.log" 2>/dev/null && break; sleep 0.5; done
tr -d '\r' < "$STATE_DIR/instances/$UUID/console.log" | head -5

cat <<EOF2

The agent is running (pid $(cat "$RUN_DIR/agent.pid"), http://127.0.0.1:$PORT/v1/status).
More:                 COMPUTE_AGENT_API=$COMPUTE_AGENT_API $CTL list    ($CTL --help for every command)
Delete the instance:  $CTL delete --host $HOST $UUID
Stop the agent:       kill \$(cat $RUN_DIR/agent.pid)
EOF2
