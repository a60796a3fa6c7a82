package dev.computeagent.agent.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;

/**
 * What a resize of one instance must remember until it is confirmed or reverted, kept in its directory
 * ({@link ResizeFiles}) so that it survives the agent: the sizes before and after, whether the guest ran
 * before, and how far the resize has come. The request id is the one of the command working on it now.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResizeRecord(@JsonProperty("phase") Phase phase, @JsonProperty("old_flavor") Flavor oldFlavor,
                           @JsonProperty("new_flavor") Flavor newFlavor, @JsonProperty("was_running") boolean wasRunning,
                           @JsonProperty("request_id") String requestId) {

    /** How far a resize has come; each is written before its work starts. */
    public enum Phase {
        /** The old disks are being kept and the new size defined; a crash rolls it back or finishes it. */
        RESIZING,
        /** Running with the new size, waiting for {@code confirm_resize} or {@code revert_resize}. */
        RESIZED,
        /** Going back to the old size; a crash finishes it. */
        REVERTING,
        /** Dropping the old disks; a crash finishes it. */
        CONFIRMING
    }

    /** This record in {@code next} phase for the command {@code request}. */
    public ResizeRecord in(Phase next, String request) {
        return new ResizeRecord(next, oldFlavor, newFlavor, wasRunning, request);
    }
}
