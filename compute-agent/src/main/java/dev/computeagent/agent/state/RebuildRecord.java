package dev.computeagent.agent.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a rebuild of one instance must remember while it runs, kept in its directory ({@link RebuildFiles}) so
 * that start-up recovery can finish it or roll it back after a crash: the request, the image the instance is
 * rebuilt from, whether the guest ran before (it comes back in that power state, as Nova's rebuild) and how
 * far the rebuild has come.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RebuildRecord(@JsonProperty("phase") Phase phase, @JsonProperty("request_id") String requestId,
                            @JsonProperty("image_id") String imageId,
                            @JsonProperty("was_running") boolean wasRunning) {

    /** How far a rebuild has come; each is written before its work starts. */
    public enum Phase {
        /**
         * The new disks are being made beside the old ones ({@code *.rebuild}); the instance is untouched. A
         * crash rolls it back: the new disks are removed.
         */
        PREPARING,
        /**
         * The new disks are complete; the guest is shut down, they replace the old ones, the definition takes
         * the new image id and the guest comes back. A crash finishes it.
         */
        SWAPPING
    }

    /** This record in {@code next} phase. */
    public RebuildRecord in(Phase next) {
        return new RebuildRecord(next, requestId, imageId, wasRunning);
    }
}
