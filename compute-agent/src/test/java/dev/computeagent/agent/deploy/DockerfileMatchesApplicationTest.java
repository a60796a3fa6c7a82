package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.DockerfileModel.Instruction;
import dev.computeagent.agent.deploy.DockerfileModel.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built here (no Docker engine): these tests check that every path,
 * port and name it uses is the one the application and its build really use.
 */
class DockerfileMatchesApplicationTest {

    /** The layers Spring Boot's default layers.idx defines, in the order the image adds them. */
    static final List<String> BOOT_LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

    private static ApplicationFacts app;
    private static DockerfileModel dockerfile;
    private static Stage build;
    private static Stage runtime;

    @BeforeAll
    static void read() {
        app = ApplicationFacts.read();
        dockerfile = DockerfileModel.parse(ProjectFiles.read(ProjectFiles.dockerfile()));
        build = dockerfile.stage("build");
        runtime = dockerfile.finalStage();
    }

    @Test
    void buildStageCopiesEveryReactorModuleAndTheWrapper() {
        List<String> copies = build.all("COPY").stream().map(Instruction::arguments).toList();
        assertThat(app.modules()).isNotEmpty();
        for (String module : app.modules()) {
            assertThat(copies).as("COPY of module %s", module).contains(module + "/ " + module + "/");
        }
        assertThat(copies).anyMatch(c -> c.matches(".*\\bmvnw\\b.*\\bpom\\.xml\\b.*"));
        assertThat(copies).contains(".mvn/ .mvn/");
        assertThat(Path.of(ProjectFiles.repositoryRoot().toString(), "mvnw")).isExecutable();
    }

    @Test
    void buildStageBuildsTheAgentModuleWithTheWrapper() {
        assertThat(build.all("RUN")).map(Instruction::arguments)
                .anyMatch(run -> run.contains("./mvnw ") && run.contains("-pl " + app.agentModule() + " -am ")
                        && run.contains(" package"));
    }

    @Test
    void layerExtractionReadsTheJarTheBuildProduces() {
        Instruction extract = build.all("RUN").stream().filter(r -> r.arguments().contains("-Djarmode=tools"))
                .findFirst().orElseThrow(() -> new AssertionError("no jarmode=tools extraction in the build stage"));
        assertThat(extract.arguments()).contains("-jar " + app.jarPath() + " ")
                .contains("extract").contains("--layers").contains("--launcher");
        String destination = argumentAfter(extract.arguments(), "--destination");
        List<String> layerCopies = runtime.all("COPY").stream().map(Instruction::arguments)
                .filter(c -> c.startsWith("--from=" + build.name() + " ")).toList();
        assertThat(layerCopies).containsExactlyElementsOf(BOOT_LAYERS.stream()
                .map(layer -> "--from=" + build.name() + " " + destination + "/" + layer + "/ ./").toList());
    }

    @Test
    void entrypointStartsSpringBootsLauncherInTheWorkdirOfTheLayers() {
        assertThat(entrypoint()).isEqualTo("[\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
        assertThat(runtime.last("WORKDIR")).map(Instruction::arguments).hasValue("/opt/compute-agent");
    }

    @Test
    void exposedPortIsTheServerPort() {
        assertThat(runtime.all("EXPOSE")).map(Instruction::arguments).containsExactly(String.valueOf(app.serverPort()));
    }

    @Test
    void volumeIsTheDefaultStateDir() {
        assertThat(runtime.all("VOLUME")).map(Instruction::arguments)
                .containsExactly("[\"" + app.stateDir() + "\"]");
        assertThat(runtime.all("RUN")).map(Instruction::arguments)
                .anyMatch(run -> run.contains("mkdir -p " + app.stateDir()) && run.contains("chown ")
                        && run.contains(app.stateDir()));
    }

    @Test
    void healthcheckProbesTheReadinessGroupOnTheServerPort() {
        assertThat(app.probesEnabled() || app.healthGroups().contains("readiness"))
                .as("application.yml enables the readiness health group").isTrue();
        Instruction healthcheck = runtime.last("HEALTHCHECK").orElseThrow(() -> new AssertionError("no HEALTHCHECK"));
        assertThat(healthcheck.arguments())
                .contains("\"http://127.0.0.1:" + app.serverPort() + app.healthGroupPath("readiness") + "\"");
        assertThat(runtime.all("RUN")).map(Instruction::arguments).anyMatch(run -> run.matches(".*apt-get install .*\\bcurl\\b.*"));
    }

    @Test
    void runtimeInstallsTheAgentsNativeNeeds() {
        String install = runtime.all("RUN").stream().map(Instruction::arguments)
                .filter(run -> run.contains("apt-get install")).findFirst().orElseThrow();
        assertThat(install).contains("--no-install-recommends")
                .containsPattern("\\blibvirt0\\b").containsPattern("\\bqemu-utils\\b")
                .containsPattern("\\bgenisoimage\\b").containsPattern("\\butil-linux\\b")
                .contains("rm -rf /var/lib/apt/lists/*");
    }

    @Test
    void runtimeRunsAsTheNonRootUserItCreates() {
        String user = runtime.last("USER").map(Instruction::arguments).orElseThrow(() -> new AssertionError("no USER"));
        assertThat(user).isEqualTo("${AGENT_UID}:${AGENT_GID}");
        assertThat(runtime.all("ARG")).map(Instruction::arguments).contains("AGENT_UID=10001", "AGENT_GID=10001");
        assertThat(runtime.all("RUN")).map(Instruction::arguments)
                .anyMatch(run -> run.contains("useradd --system --uid \"${AGENT_UID}\""));
    }

    @Test
    void imageVersionIsTheProjectVersion() {
        assertThat(runtime.all("ARG")).map(Instruction::arguments).contains("VERSION=" + app.version());
    }

    @Test
    void imageCarriesTheOciLabels() {
        String labels = String.join(" ", runtime.all("LABEL").stream().map(Instruction::arguments).toList());
        for (String key : List.of("title", "description", "version", "revision", "licenses")) {
            assertThat(labels).contains("org.opencontainers.image." + key + "=");
        }
    }

    @Test
    void dockerignoreKeepsWhatTheBuildStageCopies() {
        List<String> ignored = ProjectFiles.read(ProjectFiles.repositoryRoot().resolve(".dockerignore")).lines()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("**/target/", ".git/");
        for (String copied : List.of(".mvn/", "mvnw", "pom.xml")) {
            assertThat(ignored).doesNotContain(copied);
        }
        for (String module : app.modules()) {
            assertThat(ignored).noneMatch(pattern -> pattern.equals(module + "/") || pattern.equals(module));
        }
    }

    private static String entrypoint() {
        return runtime.last("ENTRYPOINT").map(Instruction::arguments).orElseThrow(() -> new AssertionError("no ENTRYPOINT"));
    }

    private static String argumentAfter(String arguments, String flag) {
        Matcher matcher = Pattern.compile(Pattern.quote(flag) + "[ =](\\S+)").matcher(arguments);
        assertThat(matcher.find()).as("%s in %s", flag, arguments).isTrue();
        return matcher.group(1);
    }
}
