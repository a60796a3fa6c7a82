package dev.computeagent.agent.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.virt.Flavor;
import org.jspecify.annotations.Nullable;

/**
 * What a resize of one instance must remember until it is confirmed or reverted, kept in its directory
 * ({@link ResizeFiles}) so that it survives the agent: the sizes before and after, whether the guest ran
 * before, and how far the resize has come. The request id is the one of the command working on it now.
 *
 * <p>A resize to another host leaves one record on each side. On the destination (which owns and runs the
 * instance) {@code sourceHost} names the agent that keeps the old disks. On the source (which owns nothing
 * any more: its directory only) {@code destination} names where the instance went and {@code instance} is
 * its old definition as typed data, from which a revert defines it here again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResizeRecord(@JsonProperty("phase") Phase phase, @JsonProperty("old_flavor") Flavor oldFlavor,
                           @JsonProperty("new_flavor") Flavor newFlavor, @JsonProperty("was_running") boolean wasRunning,
                           @JsonProperty("request_id") String requestId,
                           @JsonProperty("source_host") @Nullable String sourceHost,
                           @JsonProperty("destination") @Nullable String destination,
                           @JsonProperty("instance") @Nullable MigratedInstance instance) {

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

    /** The record of a resize on this host. */
    public ResizeRecord(Phase phase, Flavor oldFlavor, Flavor newFlavor, boolean wasRunning, String requestId) {
        this(phase, oldFlavor, newFlavor, wasRunning, requestId, null, null, null);
    }

    /** This record in {@code next} phase for the command {@code request}. */
    public ResizeRecord in(Phase next, String request) {
        return new ResizeRecord(next, oldFlavor, newFlavor, wasRunning, request, sourceHost, destination, instance);
    }

    /** Whether this is the destination's record of a resize from another host. */
    public boolean arrivedFromAnotherHost() {
        return sourceHost != null;
    }

    /** Whether this is the source's record of an instance resized to another host (what it left here). */
    public boolean leftForAnotherHost() {
        return destination != null;
    }
}
