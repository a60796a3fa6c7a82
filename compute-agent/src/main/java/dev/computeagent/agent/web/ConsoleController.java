package dev.computeagent.agent.web;

import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceViews;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/instances/{uuid}/console?lines=N}: the last {@code N} lines (default 100, 1–1000) of the
 * instance's serial console log as UTF-8 text, like Nova's {@code get_console_output}; bounded and
 * printable whatever the guest wrote ({@link ConsoleTail}). An instance with no output yet answers an
 * empty text. A uuid that names no instance of this agent is a 404 problem, a {@code lines} out of range
 * a 400 problem.
 */
@RestController
public class ConsoleController {

    private static final MediaType TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);
    static final int DEFAULT_LINES = 100;
    static final int MAX_LINES = 1000;
    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final ObjectProvider<InstanceViews> views;
    private final ObjectProvider<InstanceFiles> files;

    public ConsoleController(ObjectProvider<InstanceViews> views, ObjectProvider<InstanceFiles> files) {
        this.views = views;
        this.files = files;
    }

    @GetMapping("/v1/instances/{uuid}/console")
    public ResponseEntity<String> console(@PathVariable("uuid") String uuid,
                          @RequestParam(value = "lines", defaultValue = "" + DEFAULT_LINES) int lines) {
        if (!UUID_FORM.matcher(uuid).matches()) {
            throw new InstanceNotFoundProblem(uuid);
        }
        UUID id = UUID.fromString(uuid.toLowerCase(Locale.ROOT));
        InstanceViews known = views.getIfAvailable();
        InstanceFiles dirs = files.getIfAvailable();
        if (known == null || dirs == null) {
            throw new CollaboratorUnavailableProblem("instance console", null);
        }
        known.find(id).orElseThrow(() -> new InstanceNotFoundProblem(uuid));
        if (lines < 1 || lines > MAX_LINES) {
            throw badLines(lines);
        }
        try {
            // the content type is set here, not with produces: a problem must still be negotiable as JSON
            return ResponseEntity.ok().contentType(TEXT).body(ConsoleTail.read(dirs.consoleLog(id), lines));
        } catch (IOException e) {
            throw new CollaboratorUnavailableProblem("console log of " + id, e);
        }
    }

    private static ErrorResponseException badLines(int lines) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "lines must be within [1, " + MAX_LINES + "]: " + lines);
        problem.setTitle("Bad console request");
        problem.setType(URI.create("urn:compute-agent:problem:bad-console-request"));
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }
}
