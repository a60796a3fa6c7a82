package dev.computeagent.agent.web;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the REST API as {@code application/problem+json} (RFC 9457): Spring MVC's own
 * errors (unknown path, wrong method, …) through {@link ResponseEntityExceptionHandler}, the API's
 * typed problems as they are, and anything unexpected as a 500 whose body says nothing about the
 * cause (it is logged instead), so no internal detail or credential can leak.
 */
@RestControllerAdvice
public class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    static final URI INTERNAL = URI.create("urn:compute-agent:problem:internal-error");

    @ExceptionHandler(RuntimeException.class)
    public ResponseEntity<ProblemDetail> unexpected(RuntimeException exception) {
        log.error("REST request failed", exception);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The agent could not answer this request; see its log");
        problem.setTitle("Internal error");
        problem.setType(INTERNAL);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(problem);
    }
}
