package dev.computeagent.agent.deploy;

import dev.computeagent.agent.config.AgentProperties;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * What the deployment files must agree with, read from the application itself: the Maven build
 * (reactor modules, the agent's jar name), {@code application.yml} (port, actuator paths, health
 * groups) and the defaults declared on {@link AgentProperties}.
 *
 * @param version                 the project version (the reactor pom's)
 * @param modules                 the reactor's modules, in build order
 * @param agentModule             the module that builds the runnable jar
 * @param jarPath                 the runnable jar, relative to the repository root
 * @param serverPort              {@code server.port}
 * @param actuatorBasePath        {@code management.endpoints.web.base-path}
 * @param healthGroups            the health groups {@code application.yml} defines
 * @param probesEnabled           {@code management.endpoint.health.probes.enabled}
 * @param stateDir                the default of {@code agent.state-dir}
 * @param shutdownTimeout         the default of {@code agent.shutdown-timeout}
 * @param shutdownPhaseTimeout    {@code spring.lifecycle.timeout-per-shutdown-phase}
 */
record ApplicationFacts(String version, List<String> modules, String agentModule, String jarPath, int serverPort,
                        String actuatorBasePath, List<String> healthGroups, boolean probesEnabled,
                        String stateDir, Duration shutdownTimeout, Duration shutdownPhaseTimeout) {

    static ApplicationFacts read() {
        Path module = ProjectFiles.moduleDir();
        Document rootPom = xml(ProjectFiles.repositoryRoot().resolve("pom.xml"));
        Document modulePom = xml(module.resolve("pom.xml"));
        Map<String, Object> yaml = new Yaml().load(ProjectFiles.read(module.resolve("src/main/resources/application.yml")));

        String agentModule = module.getFileName().toString();
        String finalName = text(modulePom, "finalName", text(modulePom, "artifactId", agentModule));
        Object port = path(yaml, "server", "port");
        Object basePath = path(yaml, "management", "endpoints", "web", "base-path");
        Object groups = path(yaml, "management", "endpoint", "health", "group");
        Object probes = path(yaml, "management", "endpoint", "health", "probes", "enabled");
        Object phase = path(yaml, "spring", "lifecycle", "timeout-per-shutdown-phase");
        return new ApplicationFacts(
                text(rootPom, "version", "?"),
                texts(rootPom, "module"),
                agentModule,
                agentModule + "/target/" + finalName + ".jar",
                port == null ? 8080 : Integer.parseInt(port.toString()),
                basePath == null ? "/actuator" : basePath.toString(),
                groups instanceof Map<?, ?> map ? map.keySet().stream().map(Object::toString).toList() : List.of(),
                Boolean.parseBoolean(String.valueOf(probes)),
                defaultOf("stateDir"),
                DurationStyle.detectAndParse(defaultOf("shutdownTimeout")),
                phase == null ? Duration.ofSeconds(30) : DurationStyle.detectAndParse(phase.toString()));
    }

    /** The path a probe uses for a health group, e.g. {@code /actuator/health/readiness}. */
    String healthGroupPath(String group) {
        if (!healthGroups.contains(group) && !probesEnabled) {
            throw new IllegalStateException("application.yml defines no health group " + group);
        }
        return actuatorBasePath + "/health/" + group;
    }

    /** The {@code @DefaultValue} the application declares for one {@code agent.*} property. */
    private static String defaultOf(String component) {
        RecordComponent[] components = AgentProperties.class.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Parameter[] parameters = AgentProperties.class.getDeclaredConstructor(types).getParameters();
            for (int i = 0; i < components.length; i++) {
                DefaultValue value = parameters[i].getAnnotation(DefaultValue.class);
                if (components[i].getName().equals(component) && value != null && value.value().length == 1) {
                    return value.value()[0];
                }
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("AgentProperties has no canonical constructor", e);
        }
        throw new IllegalStateException("AgentProperties declares no single @DefaultValue for " + component);
    }

    private static Object path(Map<String, Object> yaml, String... keys) {
        Object node = yaml;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    private static Document xml(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The text of the first top-level-ish element of that name directly under build/project. */
    private static String text(Document document, String tag, String fallback) {
        NodeList nodes = document.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element element = (Element) nodes.item(i);
            String parent = element.getParentNode().getNodeName();
            if (parent.equals("build") || parent.equals("project")) {
                return element.getTextContent().trim();
            }
        }
        return fallback;
    }

    private static List<String> texts(Document document, String tag) {
        NodeList nodes = document.getElementsByTagName(tag);
        List<String> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            result.add(nodes.item(i).getTextContent().trim());
        }
        return List.copyOf(result);
    }
}
