#
# compute-agent container image. Build from the repository root (no test run in the image build;
# the tests need libvirtd, QEMU and RabbitMQ, which `./mvnw -B -ntp verify` uses on the host):
#
#   docker build -t compute-agent:0.1.0-SNAPSHOT .
#
# Behind a TLS-intercepting proxy, give the build your CA bundle as a secret (used by the Maven
# step only, never stored in a layer):
#
#   docker build --secret id=ca-certificates,src=/etc/ssl/certs/ca-certificates.crt -t compute-agent:0.1.0-SNAPSHOT .
#
# From the jar `./mvnw package` already built on this machine (what the tests do):
#
#   docker build --build-arg AGENT_JAR=prebuilt -t compute-agent:0.1.0-SNAPSHOT .
#
# Run it on a KVM host next to the host's libvirtd (README.md, "Container image"):
#
#   docker run -d --name compute-agent --network host \
#     --group-add "$(getent group libvirt | cut -d: -f3)" \
#     -v /run/libvirt:/run/libvirt -v /var/lib/compute-agent:/var/lib/compute-agent \
#     -e SPRING_RABBITMQ_HOST=rabbit.example -e AGENT_IMAGE_STORE_URL=http://glance.example:9292 \
#     compute-agent:0.1.0-SNAPSHOT
#
# There is no `# syntax=` line on purpose: the builder's own Dockerfile frontend (BuildKit, Docker
# 20.10 or newer) is used, so a build needs no registry beyond its two base images.

ARG BUILD_IMAGE=eclipse-temurin:17-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble
# Where the agent jar comes from: "build" compiles it here with the Maven wrapper (the default);
# "prebuilt" takes compute-agent/target/compute-agent.jar from the build context.
ARG AGENT_JAR=build

# ---- build: the Maven wrapper builds the agent and the four modules it depends on --------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY host-io/pom.xml host-io/
COPY host-io/src/ host-io/src/
COPY virt-driver-api/pom.xml virt-driver-api/
COPY virt-driver-api/src/ virt-driver-api/src/
COPY virt-driver-libvirt/pom.xml virt-driver-libvirt/
COPY virt-driver-libvirt/src/ virt-driver-libvirt/src/
COPY image-cache/pom.xml image-cache/
COPY image-cache/src/ image-cache/src/
COPY compute-agent/pom.xml compute-agent/
COPY compute-agent/src/ compute-agent/src/
# -DskipTests, not -Dmaven.test.skip: the agent depends on its siblings' test-jars (test scope).
# With the ca-certificates secret, every JVM of this step (the wrapper's download of Maven, Maven
# itself) and curl/wget trust exactly that bundle (scripts/container/PemTrustStore.java makes it a
# Java trust store); nothing of it stays in the image.
RUN --mount=type=cache,target=/root/.m2 --mount=type=secret,id=ca-certificates \
    --mount=type=bind,source=scripts/container/PemTrustStore.java,target=/tmp/PemTrustStore.java \
    set -eu; \
    if [ -s /run/secrets/ca-certificates ]; then \
        mkdir -p /tmp/ca; \
        java /tmp/PemTrustStore.java /run/secrets/ca-certificates /tmp/ca/trust.p12 changeit; \
        echo "ca_certificate = /run/secrets/ca-certificates" > /tmp/ca/wgetrc; \
        export JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=/tmp/ca/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit" \
            CURL_CA_BUNDLE=/run/secrets/ca-certificates WGETRC=/tmp/ca/wgetrc; \
    fi; \
    ./mvnw -B -ntp -pl compute-agent -am package -DskipTests; \
    mkdir -p /jar; \
    cp compute-agent/target/compute-agent.jar /jar/; \
    rm -rf /tmp/ca

# ---- prebuilt: the jar `./mvnw package` made on this machine ------------------------------------
FROM ${BUILD_IMAGE} AS prebuilt
COPY compute-agent/target/compute-agent.jar /jar/

# ---- jar: Spring Boot's layers of the chosen jar -------------------------------------------------
# Dependencies (rarely changing) and the application (changing on every commit) land in different
# image layers. Extracted as plain jars (no launcher): the JVM then loads every class from a jar on
# the class path, which is what a class-data-sharing archive can hold.
FROM ${AGENT_JAR} AS jar
RUN java -Djarmode=tools -jar /jar/compute-agent.jar extract --layers --destination /extracted

# ---- runtime: a JRE plus the agent's native needs ------------------------------------------------
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
ARG AGENT_UID=10001
ARG AGENT_GID=10001
LABEL org.opencontainers.image.title="compute-agent" \
      org.opencontainers.image.description="Per-host compute agent: RabbitMQ commands in, libvirt/KVM out" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="dev.computeagent" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"

# libvirt0: the libvirt client library the agent loads through JNA (it talks to the host's
#           libvirtd over /run/libvirt/libvirt-sock; no daemon runs in this image).
# qemu-utils: qemu-img, for base-image inspection, conversion and qcow2 overlays.
# genisoimage: config drives, which carry an instance's user data to the guest.
# util-linux: prlimit, the resource limits around every external process.
# curl: the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libvirt0 qemu-utils genisoimage util-linux curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid "${AGENT_GID}" compute-agent \
    && useradd --system --uid "${AGENT_UID}" --gid "${AGENT_GID}" --no-create-home \
        --home-dir /var/lib/compute-agent --shell /usr/sbin/nologin compute-agent \
    && mkdir -p /var/lib/compute-agent \
    && chown "${AGENT_UID}:${AGENT_GID}" /var/lib/compute-agent

WORKDIR /opt/compute-agent
COPY --from=jar /extracted/dependencies/ ./
COPY --from=jar /extracted/spring-boot-loader/ ./
COPY --from=jar /extracted/snapshot-dependencies/ ./
COPY --from=jar /extracted/application/ ./
# the operator CLI, for `docker exec compute-agent compute-agent-ctl list`
COPY bin/compute-agent-ctl /usr/local/bin/compute-agent-ctl

# A small, fixed footprint (benchmarks/agent.md: ~170 MiB RSS idle, <200 MiB with 50 instances,
# start-up ~4x faster than the defaults): serial GC, 128 MiB heap, C1 only, bounded metaspace, code
# cache and stacks. An OutOfMemoryError ends the process so that the orchestrator restarts it
# instead of leaving a half-working agent.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xms32m -Xmx128m -Xss512k -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError"

# Class-data sharing: a training start records the classes it loaded; every start maps them instead
# of loading and verifying them again (BENCHMARKS.md, "Container start-up"). The training goes as
# far as an image build can: the whole start-up, with libvirt's built-in test:///default driver in
# place of the host's libvirtd (reconciliation, capabilities, the guest-access check) and no broker
# (its connection fails), and the first readiness and liveness probes; then SIGTERM, the graceful
# shutdown, and the archive is written at exit. A training that stopped at the refreshed context
# left out the ~1,300 classes the run cycle, the web server and the first probe load.
# Spring AOT (the jar's ahead-of-time bean definitions, -Dspring.aot.enabled=true) is on in the
# training and at run time: the bean definitions were computed when the jar was built.
# The archive is only valid with this JRE, these JVM options and this class path: built here, in
# the same image, it always matches.
RUN set -eu; \
    export AGENT_HOST=cds-training AGENT_STATE_DIR=/tmp/cds-training AGENT_LIBVIRT_VIRT_TYPE=qemu SERVER_PORT=18080 \
        AGENT_LIBVIRT_URI=test:///default; \
    java -XX:ArchiveClassesAtExit=/opt/compute-agent/compute-agent.jsa -Dspring.aot.enabled=true \
        -jar compute-agent.jar >/tmp/cds-training.log 2>&1 & pid=$!; \
    i=0; until grep -q "Started ComputeAgentApplication" /tmp/cds-training.log; do \
        i=$((i + 1)); if [ "$i" -gt 1200 ] || ! kill -0 "$pid"; then cat /tmp/cds-training.log; exit 1; fi; sleep 0.1; \
    done; \
    curl -s -o /dev/null http://127.0.0.1:18080/actuator/health/readiness; \
    curl -s -o /dev/null http://127.0.0.1:18080/actuator/health/readiness; \
    curl -s -o /dev/null http://127.0.0.1:18080/actuator/health/liveness; \
    kill -TERM "$pid"; wait "$pid" || true; \
    test -s /opt/compute-agent/compute-agent.jsa || { cat /tmp/cds-training.log; exit 1; }; \
    rm -rf /tmp/cds-training /tmp/cds-training.log

# Non-root. The libvirt socket is root:libvirt 0770 on Debian/Ubuntu hosts: give this user the
# HOST's libvirt group id at run time (docker --group-add, Kubernetes supplementalGroups).
USER ${AGENT_UID}:${AGENT_GID}

# server.port: REST (/v1), /actuator/health, /actuator/prometheus.
EXPOSE 8080
# agent.state-dir: _base/ (cached bases), instances/<uuid>/ (overlays, console logs), journals.
VOLUME ["/var/lib/compute-agent"]

# The readiness health group on server.port: SERVER_PORT when the container is given one (host
# networking often needs another port), else the application's default.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "exec curl -fsS -o /dev/null http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/readiness"]

# SIGTERM starts the agent's graceful shutdown (stop consuming, finish in-flight commands within
# agent.shutdown-timeout, 120 s): give `docker stop` a longer timeout than that (-t 180).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/opt/compute-agent/compute-agent.jsa", "-Dspring.aot.enabled=true", "-jar", "compute-agent.jar"]
