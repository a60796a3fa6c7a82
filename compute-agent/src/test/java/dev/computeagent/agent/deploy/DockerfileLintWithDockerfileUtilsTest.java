package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lints the Dockerfile with a real Dockerfile linter: {@code dockerfile-utils} (npm, the linter
 * behind the VS Code Docker extension), which checks every instruction, flag, duration and port.
 * {@code .ci/run} installs it; elsewhere the test skips with the install command.
 */
class DockerfileLintWithDockerfileUtilsTest {

    private static final String LINTER = System.getProperty("dockerfile.linter",
            System.getenv().getOrDefault("DOCKERFILE_LINTER", "dockerfile-utils"));

    /** One finding in {@code dockerfile-utils lint --json} output. */
    record Finding(int instructionLine, String message, String severity) {
    }

    @BeforeAll
    static void requireLinter() {
        Prerequisites.require("Dockerfile linter " + LINTER, Prerequisites.commandSucceeds(LINTER, "--version"),
                "npm install -g dockerfile-utils@0.16.3");
    }

    @Test
    void dockerfileHasNoLintFindings() throws Exception {
        assertThat(lint(ProjectFiles.dockerfile())).isEmpty();
    }

    @Test
    void linterReportsTheFaultsOfABrokenDockerfile() throws Exception {
        List<Finding> findings = lint(ProjectFiles.testResource("broken.Dockerfile"));

        assertThat(findings).extracting(Finding::message).contains(
                "Invalid containerPort: 80abc",
                "time: unknown unit x in duration 30x",
                "Unknown instruction: COPPY");
        assertThat(findings).extracting(Finding::severity).contains("error", "warning");
    }

    private static List<Finding> lint(Path dockerfile) {
        ProcessResult linted = Commands.run(Duration.ofSeconds(30), LINTER, "lint", "--json", dockerfile.toString());
        String json = linted.stdout();
        assertThat(json).as("%s output (stderr: %s)", LINTER, linted.stderr()).startsWith("[");
        return JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build().readValue(json, new TypeReference<List<Finding>>() { });
    }
}
