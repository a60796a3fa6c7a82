package dev.computeagent.agent.handler;

/**
 * Marks a handler that stands in until the real one is written; a real handler for the same
 * command replaces it in the {@link HandlerRegistry}.
 */
public interface PlaceholderHandler {
}
