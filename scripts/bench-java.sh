#!/usr/bin/env bash
# Builds compute-agent.jar, then runs one benchmark of compute-agent/src/bench/java
# (dev.computeagent.agent.bench.<CLASS>) with its key=value arguments: what every scripts/bench-*.sh
# that runs a Java benchmark does.
#
#   scripts/bench-java.sh PowerBenchmark n=20
set -euo pipefail
cd "$(dirname "$0")/.."

CLASS=$1
shift
./mvnw -B -ntp -q -DskipTests package
# exec:java takes one string; quote each key=value so that a tuned="a b c" value stays whole
QUOTED=""
for a in "$@"; do QUOTED+="'${a//\'/}' "; done
exec ./mvnw -B -ntp -q -pl compute-agent exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass="dev.computeagent.agent.bench.$CLASS" -Dexec.args="$QUOTED"
