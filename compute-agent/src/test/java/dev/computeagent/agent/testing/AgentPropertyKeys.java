package dev.computeagent.agent.testing;

import dev.computeagent.agent.config.AgentProperties;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The agent's configuration keys as Spring Boot binds them, for checking docs and deployments. */
public final class AgentPropertyKeys {

    private AgentPropertyKeys() {
    }

    /** Every {@code agent.*} key of {@link AgentProperties}, kebab-case. */
    public static List<String> all() {
        List<String> keys = new ArrayList<>();
        collect("agent", AgentProperties.class, keys);
        return keys;
    }

    /** Whether the environment variable {@code variable} sets {@code key} in Spring Boot. */
    public static boolean sets(String variable, String key) {
        SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "value"));
        ConfigurationPropertySource source = ConfigurationPropertySources.from(environment).iterator().next();
        return source.getConfigurationProperty(ConfigurationPropertyName.of(key)) != null;
    }

    private static void collect(String prefix, Class<?> type, List<String> keys) {
        for (RecordComponent component : type.getRecordComponents()) {
            String key = prefix + "." + kebab(component.getName());
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && componentType.getPackageName().equals(AgentProperties.class.getPackageName())) {
                collect(key, componentType, keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
