#!/usr/bin/env bash
# Builds compute-agent.jar, then runs one benchmark of compute-agent/src/bench/java
# (dev.computeagent.agent.bench.<CLASS>, or a fully qualified class name) with its arguments: what every scripts/bench-*.sh
# that runs a Java benchmark does.
#
#   scripts/bench-java.sh PowerBenchmark n=20
#
# The class path comes from this checkout's own reactor (the sibling modules' target/ jars), never
# from the local Maven repository: nothing is installed, so a benchmark in one clone cannot replace
# the jars under a build or benchmark running in another.
set -euo pipefail
cd "$(dirname "$0")/.."

CLASS=$1
shift
CLASSPATH_FILE=compute-agent/target/bench-classpath.txt
./mvnw -B -ntp -q -DskipTests -pl compute-agent -am package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="compute-agent/target/test-classes:compute-agent/target/classes:$(cat "$CLASSPATH_FILE")"
[[ $CLASS == *.* ]] || CLASS="dev.computeagent.agent.bench.$CLASS"
exec java -cp "$CP" "$CLASS" "$@"
