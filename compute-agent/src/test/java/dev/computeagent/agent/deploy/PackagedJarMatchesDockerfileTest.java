package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repackaged jar has exactly the layers the Dockerfile copies, and extracting it as the
 * Dockerfile does gives the plain jar its ENTRYPOINT starts, with the application's main class.
 * Needs the jar, so it runs in the {@code verify} phase after {@code package} (tag {@value #TAG},
 * see the module's surefire executions), never skipped.
 */
@Tag(PackagedJarMatchesDockerfileTest.TAG)
class PackagedJarMatchesDockerfileTest {

    static final String TAG = "packaged-jar";

    @Test
    void extractedLayersAreTheOnesCopiedAndHoldTheJarTheEntrypointStarts(@TempDir Path extracted) throws IOException {
        ApplicationFacts app = ApplicationFacts.read();
        Path jar = ProjectFiles.repositoryRoot().resolve(app.jarPath());
        assertThat(jar).as("the repackaged agent jar (built by `package`)").isRegularFile();
        String startClass;
        try (JarFile file = new JarFile(jar.toFile())) {
            String index = new String(file.getInputStream(file.getEntry("BOOT-INF/layers.idx")).readAllBytes());
            List<String> layers = Pattern.compile("^- \"([^\"]+)\":$", Pattern.MULTILINE).matcher(index).results()
                    .map(m -> m.group(1)).toList();
            assertThat(layers).containsExactlyElementsOf(DockerfileMatchesApplicationTest.BOOT_LAYERS);
            startClass = file.getManifest().getMainAttributes().getValue("Start-Class");
            if (entrypoint().contains(DockerfileMatchesApplicationTest.AOT_ENABLED)) {
                // the ENTRYPOINT's AOT mode needs the initializer process-aot generated; without it the agent does not start
                assertThat(file.getEntry("BOOT-INF/classes/" + startClass.replace('.', '/')
                        + "__ApplicationContextInitializer.class")).as("process-aot output in the jar").isNotNull();
            }
        }

        // what the Dockerfile's jar stage runs
        ProcessResult result = new ProcessRunner().run(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--layers", "--destination",
                extracted.resolve("x").toString()), 0, 0, Duration.ofSeconds(120));
        assertThat(result.exitCode()).as(result.stderr()).isZero();

        String jarName = jar.getFileName().toString();
        Path application = extracted.resolve("x/application").resolve(jarName);
        assertThat(application).isRegularFile();
        assertThat(entrypoint()).contains("\"-jar\", \"" + jarName + "\"");
        try (JarFile plain = new JarFile(application.toFile())) {
            assertThat(plain.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(startClass);
            String classPath = plain.getManifest().getMainAttributes().getValue("Class-Path");
            for (String entry : classPath.split(" ")) {
                // each class path entry is in one of the layers the image copies into the same directory
                assertThat(DockerfileMatchesApplicationTest.BOOT_LAYERS.stream()
                        .anyMatch(layer -> Files.isRegularFile(extracted.resolve("x").resolve(layer).resolve(entry))))
                        .as("class path entry %s", entry).isTrue();
            }
        }
    }

    private static String entrypoint() {
        return DockerfileModel.parse(ProjectFiles.read(ProjectFiles.dockerfile())).finalStage()
                .last("ENTRYPOINT").map(DockerfileModel.Instruction::arguments).orElseThrow();
    }
}
