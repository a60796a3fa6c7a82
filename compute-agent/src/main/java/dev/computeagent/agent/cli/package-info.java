/**
 * The operator command line ({@code bin/compute-agent-ctl}): commands to agents through RabbitMQ,
 * waiting for their outcome; status, instances and events read from an agent's REST API and the
 * events exchange. Runs outside the Spring application. Nothing here is null unless documented.
 */
@NullMarked
package dev.computeagent.agent.cli;

import org.jspecify.annotations.NullMarked;
