# syntax=docker/dockerfile:1
#
# compute-agent container image. Build from the repository root (no test run in the image build;
# the tests need libvirtd, QEMU and RabbitMQ, which `./mvnw -B -ntp verify` uses on the host):
#
#   docker build -t compute-agent:0.1.0-SNAPSHOT .
#
# Run it on a KVM host next to the host's libvirtd (README.md, "Container image"):
#
#   docker run -d --name compute-agent --network host \
#     --group-add "$(getent group libvirt | cut -d: -f3)" \
#     -v /run/libvirt:/run/libvirt -v /var/lib/compute-agent:/var/lib/compute-agent \
#     -e SPRING_RABBITMQ_HOST=rabbit.example -e AGENT_IMAGE_STORE_URL=http://glance.example:9292 \
#     compute-agent:0.1.0-SNAPSHOT

ARG BUILD_IMAGE=eclipse-temurin:17-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble

# ---- build: the Maven wrapper builds the agent and the three modules it depends on -------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY virt-driver-api/ virt-driver-api/
COPY virt-driver-libvirt/ virt-driver-libvirt/
COPY image-cache/ image-cache/
COPY compute-agent/ compute-agent/
# -DskipTests, not -Dmaven.test.skip: the agent depends on its siblings' test-jars (test scope).
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -pl compute-agent -am package -DskipTests
# Spring Boot's layered jar, split so that dependencies (rarely changing) and the application
# (changing on every commit) land in different image layers.
RUN java -Djarmode=tools -jar compute-agent/target/compute-agent.jar \
        extract --layers --launcher --destination /extracted

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
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./

# A small, fixed footprint (benchmarks/agent.md: ~170 MiB RSS idle, <200 MiB with 50 instances,
# start-up ~4x faster than the defaults): serial GC, 128 MiB heap, C1 only, bounded metaspace, code
# cache and stacks. An OutOfMemoryError ends the process so that the orchestrator restarts it
# instead of leaving a half-working agent.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xms32m -Xmx128m -Xss512k -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError"

# Non-root. The libvirt socket is root:libvirt 0770 on Debian/Ubuntu hosts: give this user the
# HOST's libvirt group id at run time (docker --group-add, Kubernetes supplementalGroups).
USER ${AGENT_UID}:${AGENT_GID}

# server.port: REST (/v1), /actuator/health, /actuator/prometheus.
EXPOSE 8080
# agent.state-dir: _base/ (cached bases), instances/<uuid>/ (overlays, console logs), journals.
VOLUME ["/var/lib/compute-agent"]

# Port and path are the application's defaults (server.port, the readiness health group); an
# image run with another SERVER_PORT needs its own --health-cmd.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/actuator/health/readiness"]

# SIGTERM starts the agent's graceful shutdown (stop consuming, finish in-flight commands within
# agent.shutdown-timeout, 120 s): give `docker stop` a longer timeout than that (-t 180).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
