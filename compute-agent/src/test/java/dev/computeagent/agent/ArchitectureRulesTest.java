package dev.computeagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on every module's main sources by their imports: which
 * module may use which, which package of the agent may use which, where the native binding lives, and
 * that every package declares its nullness. A new package of the agent must be given its place here (and
 * in docs/architecture.md) before it builds.
 */
class ArchitectureRulesTest {

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)\\.[\\w*]+;", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final String AGENT = "dev.computeagent.agent.";

    /** What each package of the agent may import of the agent's other packages (docs/architecture.md). */
    private static final Map<String, Set<String>> AGENT_LAYERS = Map.ofEntries(
            Map.entry("text", Set.of()),
            Map.entry("message", Set.of()),
            Map.entry("events", Set.of("message")),
            Map.entry("command", Set.of("message", "text")),
            Map.entry("security", Set.of("command", "message", "text")),
            Map.entry("state", Set.of("message")),
            Map.entry("journal", Set.of("message")),
            Map.entry("configdrive", Set.of("message")),
            Map.entry("failure", Set.of("configdrive", "message", "text")),
            Map.entry("provision", Set.of("configdrive", "failure", "message", "state")),
            Map.entry("handler", Set.of("command", "configdrive", "failure", "message", "provision", "state")),
            Map.entry("migration", Set.of("command", "configdrive", "failure", "handler", "message", "provision",
                    "state")),
            Map.entry("execution", Set.of("command", "events", "failure", "handler", "journal", "message", "state",
                    "text")),
            Map.entry("power", Set.of("events", "execution", "handler", "message", "state")),
            Map.entry("recovery", Set.of("events", "execution", "handler", "message", "state")),
            Map.entry("imagecache", Set.of()),
            Map.entry("network", Set.of()),
            // the Spring-managed status and health read their settings from AgentProperties
            Map.entry("status", Set.of("config", "message", "state")),
            Map.entry("heartbeat", Set.of("events", "message", "status")),
            Map.entry("metrics", Set.of("message", "state", "status")),
            Map.entry("health", Set.of("config", "status")),
            Map.entry("web", Set.of("message", "state", "status")),
            Map.entry("amqp", Set.of("command", "events", "execution", "message", "migration", "security", "text")),
            Map.entry("runcycle", Set.of("amqp", "execution", "heartbeat", "journal", "power", "recovery")),
            Map.entry("cli", Set.of("amqp", "message", "status")),
            Map.entry("config", Set.of("*")),
            Map.entry("jvm", Set.of()),
            // the main class applies the JVM's memory defaults before Spring starts
            Map.entry("", Set.of("jvm")));

    /** What each module's main code may import of the project's other modules. */
    private static final Map<String, List<String>> MODULES = Map.of(
            "host-io", List.of("dev.computeagent.hostio"),
            "virt-driver-api", List.of("dev.computeagent.virt"),
            "virt-driver-libvirt", List.of("dev.computeagent.virt", "dev.computeagent.hostio"),
            "image-cache", List.of("dev.computeagent.image", "dev.computeagent.hostio"),
            "compute-agent", List.of("dev.computeagent"));

    @Test
    void everyModuleUsesOnlyTheModulesBelowIt() {
        List<String> violations = new ArrayList<>();
        MODULES.forEach((module, allowed) -> {
            for (Source source : sources(module)) {
                for (String imported : source.imports()) {
                    if (imported.startsWith("dev.computeagent.") && allowed.stream().noneMatch(imported::startsWith)) {
                        violations.add(source + " imports " + imported);
                    }
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void onlyTheBindingPackageTouchesLibvirtJavaOrJna() {
        List<String> violations = new ArrayList<>();
        for (String module : MODULES.keySet()) {
            for (Source source : sources(module)) {
                boolean binding = source.packageName().equals("dev.computeagent.virt.libvirt.binding");
                source.imports().stream().filter(i -> i.startsWith("org.libvirt") || i.startsWith("com.sun.jna"))
                        .filter(i -> !binding).forEach(i -> violations.add(source + " imports " + i));
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void eachPackageOfTheAgentUsesOnlyTheLayersBelowIt() {
        List<String> violations = new ArrayList<>();
        Set<String> unplaced = new TreeSet<>();
        for (Source source : sources("compute-agent")) {
            String own = agentPackage(source.packageName());
            Set<String> allowed = AGENT_LAYERS.get(own);
            if (allowed == null) {
                unplaced.add(own);
                continue;
            }
            for (String imported : source.imports()) {
                if (!imported.startsWith(AGENT)) {
                    continue;
                }
                String other = agentPackage(imported);
                if (!other.equals(own) && !allowed.contains("*") && !allowed.contains(other)) {
                    violations.add(source + " (" + own + ") imports " + imported);
                }
            }
        }
        assertThat(unplaced).as("packages without a layer (give them one here and in docs/architecture.md)").isEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void everyMainPackageDeclaresItsNullness() throws IOException {
        Set<String> unmarked = new TreeSet<>();
        for (String module : MODULES.keySet()) {
            for (Source source : sources(module)) {
                Path info = source.file().resolveSibling("package-info.java");
                if (!Files.isRegularFile(info) || !Files.readString(info).contains("@NullMarked")) {
                    unmarked.add(module + ": " + source.packageName());
                }
            }
        }
        assertThat(unmarked).isEmpty();
    }

    /** The agent package a class or package name is in ({@code ""} for the root package). */
    private static String agentPackage(String name) {
        if (!name.startsWith(AGENT)) {
            return "";
        }
        String rest = name.substring(AGENT.length());
        int dot = rest.indexOf('.');
        String first = dot < 0 ? rest : rest.substring(0, dot);
        return Character.isUpperCase(first.charAt(0)) ? "" : first;
    }

    private record Source(Path file, String packageName, List<String> imports) {
        @Override
        public String toString() {
            return ProjectFiles.repositoryRoot().relativize(file).toString();
        }
    }

    private static List<Source> sources(String module) {
        Path root = ProjectFiles.repositoryRoot().resolve(module).resolve("src/main/java");
        assertThat(root).as("main sources of " + module).isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(ArchitectureRulesTest::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Source read(Path file) {
        try {
            String text = Files.readString(file);
            Matcher pkg = PACKAGE.matcher(text);
            String packageName = pkg.find() ? pkg.group(1) : "";
            List<String> imports = new ArrayList<>();
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                // the imported type's package (or outer type, for a nested one or a static import)
                imports.add(m.group(1));
            }
            return new Source(file, packageName, imports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
