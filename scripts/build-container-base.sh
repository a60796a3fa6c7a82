#!/usr/bin/env bash
# Builds a local container base image from Debian packages and prints its reference. No public
# registry is needed: mmdebstrap makes a Debian 12 root file system from the machine's apt
# sources (no mirror address here) and `docker import` turns it into an image.
#
#   scripts/build-container-base.sh jdk17      a JDK 17 (the Dockerfile's BUILD_IMAGE stand-in)
#   scripts/build-container-base.sh jre17      a JRE 17 (the Dockerfile's RUNTIME_IMAGE stand-in)
#   scripts/build-container-base.sh rabbitmq   Debian's rabbitmq-server, configured from the
#                                              environment (scripts/container/rabbitmq-entrypoint.sh)
#
# The tag is a hash of the recipe (packages, image settings, files copied in), so a machine
# builds each image once (~1-4 min, mostly downloads) and every later call answers at once.
# Concurrent callers wait for one build (flock). Needs root, mmdebstrap and a running dockerd
# (scripts/host-setup.sh installs and starts both). DOCKER names the docker client (default
# /usr/bin/docker, Debian's docker.io; any client works for this script).
set -euo pipefail

NAME=${1:?usage: build-container-base.sh jdk17|jre17|rabbitmq}
HERE=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}
SUITE=bookworm
REPOSITORY=compute-agent-local

log() { printf '[container-base %s] %s\n' "$(date +%T)" "$*" >&2; }

COPY_IN=()
case "$NAME" in
  jdk17)
    PACKAGES=openjdk-17-jdk-headless,ca-certificates,passwd
    CHANGES=('ENV LANG=C.UTF-8' 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' 'CMD ["jshell"]')
    ;;
  jre17)
    PACKAGES=openjdk-17-jre-headless,ca-certificates,passwd
    CHANGES=('ENV LANG=C.UTF-8' 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' 'CMD ["java", "-version"]')
    ;;
  rabbitmq)
    PACKAGES=rabbitmq-server,util-linux
    COPY_IN=("$HERE/container/rabbitmq-entrypoint.sh:/usr/local/bin/rabbitmq-entrypoint")
    CHANGES=('ENV LANG=C.UTF-8' 'EXPOSE 5672 15672 25672 4369' 'VOLUME /var/lib/rabbitmq'
             'ENTRYPOINT ["/usr/local/bin/rabbitmq-entrypoint"]' 'CMD ["rabbitmq-server"]')
    ;;
  *)
    echo "unknown image $NAME (jdk17, jre17, rabbitmq)" >&2
    exit 2
    ;;
esac

# Anything that changes the image changes the key: the recipe and the bytes of the files copied in.
RECIPE="v1 $SUITE $NAME $PACKAGES ${CHANGES[*]} ${COPY_IN[*]:-}"
for pair in "${COPY_IN[@]}"; do
  RECIPE+=" $(sha256sum "${pair%%:*}" | cut -c1-64)"
done
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-16)
IMAGE=$REPOSITORY/$NAME:$KEY

present() { "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; }
present && { echo "$IMAGE"; exit 0; }

for cmd in mmdebstrap flock; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd (run scripts/host-setup.sh)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "building $NAME needs root (mmdebstrap --mode=root)" >&2; exit 1; }
"$DOCKER" version >/dev/null 2>&1 || { echo "dockerd does not answer (run scripts/host-setup.sh)" >&2; exit 1; }

mkdir -p /var/cache/compute-agent
exec 9>/var/cache/compute-agent/.container-base.lock
flock 9
present && { echo "$IMAGE"; exit 0; }

WORK=$(mktemp -d /var/tmp/container-base-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
HOOKS=()
for pair in "${COPY_IN[@]}"; do
  HOOKS+=(--customize-hook="install -m 0755 '${pair%%:*}' \"\$1${pair#*:}\"")
done

log "building $IMAGE"
# documentation is left out (copyright files stay); apt lists are removed by mmdebstrap itself
mmdebstrap --variant=minbase --mode=root --include="$PACKAGES" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  "${HOOKS[@]}" "$SUITE" "$WORK/rootfs.tar" >"$WORK/mmdebstrap.log" 2>&1 \
  || { tail -30 "$WORK/mmdebstrap.log" >&2; exit 1; }

CHANGE_ARGS=()
for change in "${CHANGES[@]}"; do CHANGE_ARGS+=(--change "$change"); done
"$DOCKER" import "${CHANGE_ARGS[@]}" --message "$RECIPE" "$WORK/rootfs.tar" "$IMAGE" >/dev/null
log "built $IMAGE ($(du -h "$WORK/rootfs.tar" | cut -f1) root file system)"
echo "$IMAGE"
