package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The repackaged jar has exactly the layers the Dockerfile copies and the launcher its ENTRYPOINT
 * starts. Needs the jar, so it runs in the {@code verify} phase after {@code package} (tag
 * {@value #TAG}, see the module's surefire executions), never skipped.
 */
@Tag(PackagedJarMatchesDockerfileTest.TAG)
class PackagedJarMatchesDockerfileTest {

    static final String TAG = "packaged-jar";

    @Test
    void layersCopiedAreTheLayersOfTheBuiltJar() throws IOException {
        ApplicationFacts app = ApplicationFacts.read();
        DockerfileModel dockerfile = DockerfileModel.parse(ProjectFiles.read(ProjectFiles.dockerfile()));
        Path jar = ProjectFiles.repositoryRoot().resolve(app.jarPath());
        assertThat(jar).as("the repackaged agent jar (built by `package`)").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            String index = new String(file.getInputStream(file.getEntry("BOOT-INF/layers.idx")).readAllBytes());
            List<String> layers = Pattern.compile("^- \"([^\"]+)\":$", Pattern.MULTILINE).matcher(index).results()
                    .map(m -> m.group(1)).toList();
            assertThat(layers).containsExactlyElementsOf(DockerfileMatchesApplicationTest.BOOT_LAYERS);
            String entrypoint = dockerfile.finalStage().last("ENTRYPOINT")
                    .map(DockerfileModel.Instruction::arguments).orElseThrow();
            assertThat(entrypoint).contains(file.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }
}
