package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.DockerfileModel.Instruction;
import dev.computeagent.agent.deploy.DockerfileModel.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every path, port and name the Dockerfile uses is the one the application and its build really
 * use (fast, no Docker engine needed; {@link AgentContainerDockerLibvirtRabbitMqTest} builds and runs
 * the image).
 */
class DockerfileMatchesApplicationTest {

    /** The layers Spring Boot's default layers.idx defines, in the order the image adds them. */
    static final List<String> BOOT_LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
    /** Spring AOT: the jar carries its ahead-of-time bean definitions (process-aot) and the image uses them. */
    static final String AOT_ENABLED = "-Dspring.aot.enabled=true";

    private static ApplicationFacts app;
    private static DockerfileModel dockerfile;
    private static Stage build;
    private static Stage prebuilt;
    private static Stage jar;
    private static Stage runtime;

    @BeforeAll
    static void read() {
        app = ApplicationFacts.read();
        dockerfile = DockerfileModel.parse(ProjectFiles.read(ProjectFiles.dockerfile()));
        build = dockerfile.stage("build");
        prebuilt = dockerfile.stage("prebuilt");
        jar = dockerfile.stage("jar");
        runtime = dockerfile.finalStage();
    }

    @Test
    void buildStageCopiesEveryReactorModulesPomAndSourcesAndTheWrapper() {
        List<String> copies = build.all("COPY").stream().map(Instruction::arguments).toList();
        assertThat(app.modules()).isNotEmpty();
        for (String module : app.modules()) {
            assertThat(copies).as("COPY of module %s", module)
                    .contains(module + "/pom.xml " + module + "/", module + "/src/ " + module + "/src/");
            try (var files = Files.list(ProjectFiles.repositoryRoot().resolve(module))) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("what the build needs of %s is its pom and sources", module)
                        .filteredOn(name -> !name.equals("target") && !name.endsWith(".md"))
                        .containsExactlyInAnyOrder("pom.xml", "src");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(copies).anyMatch(c -> c.matches(".*\\bmvnw\\b.*\\bpom\\.xml\\b.*"));
        assertThat(copies).contains(".mvn/ .mvn/");
        assertThat(Path.of(ProjectFiles.repositoryRoot().toString(), "mvnw")).isExecutable();
    }

    @Test
    void buildStageBuildsTheAgentModuleWithTheWrapperAndKeepsItsJar() {
        assertThat(build.all("RUN")).map(Instruction::arguments)
                .anyMatch(run -> run.contains("./mvnw ") && run.contains("-pl " + app.agentModule() + " -am ")
                        && run.contains(" package") && run.contains("cp " + app.jarPath() + " /jar/"));
    }

    @Test
    void prebuiltStageTakesTheJarThePackagePhaseMakes() {
        assertThat(prebuilt.all("COPY")).map(Instruction::arguments).containsExactly(app.jarPath() + " /jar/");
        assertThat(jar.baseImage()).isEqualTo("${AGENT_JAR}");
        assertThat(globalArgs()).contains("AGENT_JAR=build");
    }

    @Test
    void layerExtractionReadsTheChosenJarAndTheRuntimeCopiesEveryLayer() {
        Instruction extract = jar.all("RUN").stream().filter(r -> r.arguments().contains("-Djarmode=tools"))
                .findFirst().orElseThrow(() -> new AssertionError("no jarmode=tools extraction in the jar stage"));
        String jarName = Path.of(app.jarPath()).getFileName().toString();
        assertThat(extract.arguments()).contains("-jar /jar/" + jarName + " ").contains("extract")
                .contains("--layers").doesNotContain("--launcher");
        String destination = argumentAfter(extract.arguments(), "--destination");
        List<String> layerCopies = runtime.all("COPY").stream().map(Instruction::arguments)
                .filter(c -> c.startsWith("--from=" + jar.name() + " ")).toList();
        assertThat(layerCopies).containsExactlyElementsOf(BOOT_LAYERS.stream()
                .map(layer -> "--from=" + jar.name() + " " + destination + "/" + layer + "/ ./").toList());
    }

    @Test
    void entrypointStartsTheExtractedJarWithTheClassDataArchiveItsTrainingRunMade() {
        String jarName = Path.of(app.jarPath()).getFileName().toString();
        String archive = "/opt/compute-agent/" + jarName.replace(".jar", ".jsa");
        assertThat(entrypoint()).isEqualTo("[\"java\", \"-XX:SharedArchiveFile=" + archive + "\", \""
                + AOT_ENABLED + "\", \"-jar\", \"" + jarName + "\"]");
        assertThat(runtime.last("WORKDIR")).map(Instruction::arguments).hasValue("/opt/compute-agent");
        Instruction training = runtime.all("RUN").stream().filter(r -> r.arguments().contains("ArchiveClassesAtExit"))
                .findFirst().orElseThrow(() -> new AssertionError("no CDS training run"));
        // trained as it runs (AOT bean definitions) and through the whole start-up and the first probe:
        // a training stopped at the refreshed context leaves the run cycle's and the web server's classes out
        assertThat(training.arguments()).contains("-XX:ArchiveClassesAtExit=" + archive).contains(AOT_ENABLED)
                .contains("-jar " + jarName).doesNotContain("spring.context.exit")
                .contains(app.healthGroupPath("readiness")).contains("kill -TERM");
        // trained with the JVM options the agent runs with: set before the training run
        assertThat(runtime.last("ENV").orElseThrow().line()).isLessThan(training.line());
        assertThat(runtime.last("USER").orElseThrow().line()).isGreaterThan(training.line());
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
        assertThat(healthcheck.arguments()).contains(" http://127.0.0.1:${SERVER_PORT:-" + app.serverPort() + "}"
                + app.healthGroupPath("readiness") + "\"");
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
    void dockerignoreKeepsWhatTheBuildStagesCopy() {
        List<String> ignored = ProjectFiles.read(ProjectFiles.repositoryRoot().resolve(".dockerignore")).lines()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("**/target/", ".git/", "!" + app.jarPath());
        for (String copied : List.of(".mvn/", "mvnw", "pom.xml", "bin/")) {
            assertThat(ignored).doesNotContain(copied);
        }
        for (String module : app.modules()) {
            assertThat(ignored).noneMatch(pattern -> pattern.equals(module + "/") || pattern.equals(module));
        }
    }

    /** The ARGs declared before the first FROM (the ones FROM lines may use). */
    private static List<String> globalArgs() {
        return ProjectFiles.read(ProjectFiles.dockerfile()).lines().takeWhile(l -> !l.startsWith("FROM "))
                .filter(l -> l.startsWith("ARG ")).map(l -> l.substring(4).strip()).toList();
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
