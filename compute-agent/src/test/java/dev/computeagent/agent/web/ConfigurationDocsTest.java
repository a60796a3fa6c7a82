package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.testing.AgentPropertyKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        List<String> keys = AgentPropertyKeys.all();

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
            assertThat(AgentPropertyKeys.sets(variable, key)).as(variable + " -> " + key).isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(25);
    }

    @Test
    void underscoreFormOfADashedKeyIsAcceptedTooButNotAMisspelling() {
        assertThat(AgentPropertyKeys.sets("AGENT_MAX_CONCURRENT_OPERATIONS", "agent.max-concurrent-operations")).isTrue();
        assertThat(AgentPropertyKeys.sets("AGENT_MAXCONCURRENTOPERATION", "agent.max-concurrent-operations")).isFalse();
        assertThat(AgentPropertyKeys.sets("AGENT_IMAGE_STORE_TOKEN", "agent.image-store.url")).isFalse();
    }
}
