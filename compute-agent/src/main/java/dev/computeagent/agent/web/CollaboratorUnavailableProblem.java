package dev.computeagent.agent.web;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 503: a part of the agent the request needs (instance views, image cache) is not available now. */
public class CollaboratorUnavailableProblem extends ErrorResponseException {

    static final URI TYPE = URI.create("urn:compute-agent:problem:unavailable");

    public CollaboratorUnavailableProblem(String what, @Nullable Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(what), cause);
    }

    private static ProblemDetail problem(String what) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The " + what + " is not available right now; retry later");
        problem.setTitle("Temporarily unavailable");
        problem.setType(TYPE);
        return problem;
    }
}
