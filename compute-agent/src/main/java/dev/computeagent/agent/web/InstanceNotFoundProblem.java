package dev.computeagent.agent.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 404 for a uuid that names no instance of this agent (malformed ones included). */
public class InstanceNotFoundProblem extends ErrorResponseException {

    static final URI TYPE = URI.create("urn:compute-agent:problem:instance-not-found");

    public InstanceNotFoundProblem(String uuid) {
        super(HttpStatus.NOT_FOUND, problem(uuid), null);
    }

    private static ProblemDetail problem(String uuid) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "No instance " + Printable.truncate(uuid, 64) + " on this host");
        problem.setTitle("Instance not found");
        problem.setType(TYPE);
        return problem;
    }
}
