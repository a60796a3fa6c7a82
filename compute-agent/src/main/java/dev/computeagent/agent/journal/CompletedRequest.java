package dev.computeagent.agent.journal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.agent.message.EventMessage;
import java.util.Objects;

/**
 * A completed request as the journal keeps it: its final event, and how far that outcome got. A
 * redelivery of a message whose outcome the broker already confirmed is acknowledged without
 * publishing it again; a re-send of the request by the controller is still answered.
 *
 * @param finalEvent the request's {@code .end} or {@code .error} event (also the body of its replies)
 * @param published  the broker confirmed the final event on {@code compute.events}
 * @param replied    the broker confirmed the reply to the last delivery that asked for one (true when
 *                   none asked)
 */
public record CompletedRequest(@JsonProperty("final_event") EventMessage finalEvent,
                               @JsonProperty("published") boolean published,
                               @JsonProperty("replied") boolean replied) {

    public CompletedRequest {
        Objects.requireNonNull(finalEvent, "finalEvent");
    }

    /** An outcome not sent anywhere yet. */
    public static CompletedRequest unannounced(EventMessage finalEvent) {
        return new CompletedRequest(finalEvent, false, false);
    }

    /** This outcome with what the broker has confirmed now. */
    public CompletedRequest with(boolean published, boolean replied) {
        return new CompletedRequest(finalEvent, published, replied);
    }
}
