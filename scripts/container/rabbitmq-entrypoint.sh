#!/bin/sh
# Entry point of the local RabbitMQ image (scripts/build-container-base.sh rabbitmq): writes
# rabbitmq.conf from the environment, then runs the broker in the foreground as the rabbitmq
# user, logging to standard output (what Testcontainers' RabbitMQContainer waits on).
#
#   RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS   the broker's one user (default guest/guest);
#                                                   it may log in from anywhere (loopback_users = none)
#   RABBITMQ_ERLANG_COOKIE                          the shared secret of a cluster's nodes
#   RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS             default: one scheduler, no busy waiting (a
#                                                   test broker on a small shared machine)
#
# These settings go to /etc/rabbitmq/conf.d/00-entrypoint.conf; files copied into conf.d with later
# names (10-tls.conf) are read after it and win. Cluster nodes are joined with rabbitmqctl
# (stop_app, join_cluster rabbit@<first node>, start_app).
set -eu

mkdir -p /etc/rabbitmq/conf.d
cat > /etc/rabbitmq/conf.d/00-entrypoint.conf <<CONF
loopback_users = none
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
log.console = true
log.console.level = info
log.file = false
CONF

if [ -n "${RABBITMQ_ERLANG_COOKIE:-}" ]; then
  cookie=/var/lib/rabbitmq/.erlang.cookie
  rm -f "$cookie"
  printf '%s' "$RABBITMQ_ERLANG_COOKIE" > "$cookie"
  chown rabbitmq:rabbitmq "$cookie"
  chmod 0400 "$cookie"
fi
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="${RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:-+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none}"

if [ "${1:-}" = rabbitmq-server ]; then
  shift
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
  cd /var/lib/rabbitmq
  # Debian's /usr/sbin/rabbitmq-server would send the log to a file: run the real script directly
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
    env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
