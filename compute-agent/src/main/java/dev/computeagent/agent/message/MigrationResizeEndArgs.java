package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code migration.resize_confirm.args} and {@code migration.resize_revert.args}: sent by the agent that
 * holds an instance resized to its host (the resize's destination) to the agent the instance came from,
 * which still keeps its old disks. {@code source_host} is the sender, as in every internal command (here:
 * the resize's destination), and must be the destination the resize went to.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationResizeEndArgs(@JsonProperty("source_host") String sourceHost) implements InternalArgs {
}
