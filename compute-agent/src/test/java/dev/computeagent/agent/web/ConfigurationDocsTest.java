package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.config.AgentProperties;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code docs/configuration.md} stays true: it documents every key of {@link AgentProperties}, and
 * every environment variable name it gives really sets its key in Spring Boot.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.<>-]+)` \\| `([A-Z0-9_<>]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyAgentPropertyIsDocumented() throws IOException {
        String doc = Files.readString(DOC);
        List<String> keys = new ArrayList<>();
        collectKeys("agent", AgentProperties.class, keys);

        assertThat(keys).contains("agent.host", "agent.libvirt.virt-type", "agent.image-store.token");
        for (String key : keys) {
            assertThat(doc).as(key).contains("| `" + key + "` |");
        }
    }

    @Test
    void everyDocumentedEnvironmentVariableSetsItsKey() throws IOException {
        Matcher rows = ROW.matcher(Files.readString(DOC));
        int checked = 0;
        while (rows.find()) {
            String key = rows.group(1);
            String variable = rows.group(2);
            if (key.contains("<")) {
                continue; // a pattern row such as logging.level.<logger>
            }
            assertThat(sets(variable, key)).as(variable + " -> " + key).isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(25);
    }

    @Test
    void underscoreFormOfADashedKeyIsAcceptedTooButNotAMisspelling() {
        assertThat(sets("AGENT_MAX_CONCURRENT_OPERATIONS", "agent.max-concurrent-operations")).isTrue();
        assertThat(sets("AGENT_MAXCONCURRENTOPERATION", "agent.max-concurrent-operations")).isFalse();
        assertThat(sets("AGENT_IMAGE_STORE_TOKEN", "agent.image-store.url")).isFalse();
    }

    private static boolean sets(String variable, String key) {
        SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "value"));
        ConfigurationPropertySource source = ConfigurationPropertySources.from(environment).iterator().next();
        return source.getConfigurationProperty(ConfigurationPropertyName.of(key)) != null;
    }

    private static void collectKeys(String prefix, Class<?> type, List<String> keys) {
        for (RecordComponent component : type.getRecordComponents()) {
            String key = prefix + "." + kebab(component.getName());
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && componentType.getPackageName().equals(AgentProperties.class.getPackageName())) {
                collectKeys(key, componentType, keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
