package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;

/**
 * {@code migration.adopt.args.resize}: the instance arrives by a {@code resize} to another host; the
 * destination gives it {@code flavor} and keeps it {@code RESIZED}, waiting for {@code confirm_resize} or
 * {@code revert_resize}. {@code request_id} is the resize's own (a re-sent adopt of the same resize is
 * answered, not done again).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationResize(@JsonProperty("flavor") Flavor flavor, @JsonProperty("request_id") String requestId) {
}
