/**
 * The wire format of the AsyncAPI contract ({@code resources/asyncapi/asyncapi.yaml}): command envelopes
 * and the typed arguments of every command ({@link dev.computeagent.agent.message.CommandArgs}), events,
 * error codes, and the one JSON mapper that writes and reads them ({@link dev.computeagent.agent.message.AgentJson}).
 * These records are the contract; tests hold them and the AsyncAPI document together. Incoming commands
 * are validated at the edge ({@code command}) before these records reach a handler. Nothing here is null
 * unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.message;

import org.jspecify.annotations.NullMarked;
