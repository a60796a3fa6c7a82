package dev.computeagent.agent.testing;

import dev.computeagent.agent.deploy.ProjectFiles;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The container images the tests run, all built on this machine: no registry is reachable here.
 * Base images come from Debian packages ({@code scripts/build-container-base.sh}, tagged by the
 * hash of their recipe, so a machine builds each once); the agent image is the repository's real
 * {@code Dockerfile} built on those stand-ins with the jar {@code ./mvnw package} made.
 */
public final class ContainerImages {

    /** The agent image's tag (for people; tests run the image by its id), rebuilt per test JVM. */
    public static final String AGENT_IMAGE = "compute-agent-local/agent:test";

    private static final Duration BASE_BUILD_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration AGENT_BUILD_TIMEOUT = Duration.ofMinutes(15);
    private static String agentImage;

    private ContainerImages() {
    }

    /** The Debian 12 JDK 17 image: the Dockerfile's {@code BUILD_IMAGE} stand-in. */
    public static String jdk17() {
        return base("jdk17");
    }

    /** The Debian 12 JRE 17 image: the Dockerfile's {@code RUNTIME_IMAGE} stand-in. */
    public static String jre17() {
        return base("jre17");
    }

    /** Debian's {@code rabbitmq-server}, configured from the environment like the official image. */
    public static String rabbitMq() {
        return base("rabbitmq");
    }

    /**
     * The agent image: {@code docker build --build-arg AGENT_JAR=prebuilt} of the repository's
     * Dockerfile with the local JDK and JRE images as its bases; returns the image's id. Needs
     * {@code compute-agent/target/compute-agent.jar} (the {@code package} phase), and replaces the
     * image a previous build left under the same tag.
     */
    public static synchronized String agent() {
        if (agentImage != null) {
            return agentImage;
        }
        Path root = ProjectFiles.repositoryRoot();
        Path jar = root.resolve("compute-agent/target/compute-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the image test runs after `package`");
        }
        String previous = Docker.tryRun(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}",
                AGENT_IMAGE).stdout().strip();
        Path idFile;
        try {
            idFile = Files.createTempFile("agent-image", ".id");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Docker.run(AGENT_BUILD_TIMEOUT, Map.of("DOCKER_BUILDKIT", "1"), List.of("build", "--progress=plain",
                "--build-arg", "BUILD_IMAGE=" + jdk17(), "--build-arg", "RUNTIME_IMAGE=" + jre17(),
                "--build-arg", "AGENT_JAR=prebuilt", "--build-arg", "REVISION=test",
                "--iidfile", idFile.toString(), "--tag", AGENT_IMAGE, root.toString()));
        String built;
        try {
            built = Files.readString(idFile).strip();
            Files.delete(idFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!previous.isEmpty() && !previous.equals(built)) {
            // the old image lost its tag: do not let every test run leave one behind (kept while in use)
            Docker.tryRun(Duration.ofSeconds(60), "image", "rm", previous);
        }
        // by id: another checkout building at the same time may move the tag to its own image
        agentImage = built;
        return agentImage;
    }

    private static String base(String name) {
        Path script = ProjectFiles.repositoryRoot().resolve("scripts/build-container-base.sh");
        ProcessResult result = new ProcessRunner().run(List.of("bash", script.toString(), name), 0, 0,
                BASE_BUILD_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(script + " " + name + " failed (" + result.exitCode() + "):\n"
                    + result.stderr());
        }
        return result.stdout().strip();
    }
}
