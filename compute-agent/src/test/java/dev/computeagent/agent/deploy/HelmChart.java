package dev.computeagent.agent.deploy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart at {@code helm/compute-agent}, driven through helm-java (the real helm library,
 * in-process). {@link #render} fails with helm's own message when the values are refused.
 */
final class HelmChart {

    static final String RELEASE = "agent";
    static final String NAMESPACE = "compute";

    private final Helm helm = new Helm(ProjectFiles.helmChart());
    private final FakeKubernetesApi cluster = FakeKubernetesApi.get();

    /** The cluster the chart's {@code lookup} sees. */
    FakeKubernetesApi cluster() {
        return cluster;
    }

    LintResult lintStrict() {
        return helm.lint().strict().call();
    }

    /** {@code helm template} with the chart's defaults, plus an optional values file. */
    Rendered render(Path valuesFile) {
        TemplateCommand template = helm.template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return Rendered.parse(template.call());
    }

    /** The release notes (NOTES.txt) a client-only dry-run install prints, for the given values. */
    String notes(Path valuesFile) {
        InstallCommand install = helm.install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly()
                .withDryRunOption(DryRun.CLIENT);
        if (valuesFile != null) {
            install = install.withValuesFile(valuesFile);
        }
        String output = install.call().getOutput();
        int notes = output.indexOf("NOTES:");
        if (notes < 0) {
            throw new AssertionError("no NOTES in the install output:\n" + output);
        }
        return output.substring(notes);
    }

    /** The objects of a rendered release, as plain YAML trees. */
    record Rendered(List<Map<String, Object>> objects) {

        static Rendered parse(String manifest) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Object document : new Yaml().loadAll(manifest)) {
                if (document instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> object = (Map<String, Object>) map;
                    objects.add(object);
                }
            }
            return new Rendered(List.copyOf(objects));
        }

        List<Map<String, Object>> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        /** The object of that kind and name; fails when there is none. */
        Node named(String kind, String name) {
            return new Node(ofKind(kind).stream().filter(o -> name.equals(new Node(o).text("metadata.name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name)));
        }

        /** The single object of that kind; fails when there is none or several. */
        Node one(String kind) {
            List<Map<String, Object>> matching = ofKind(kind);
            if (matching.size() != 1) {
                throw new AssertionError("expected one " + kind + ", rendered " + matching.size());
            }
            return new Node(matching.get(0));
        }
    }

    /** A navigable YAML node: {@code node.at("spec.template.spec")}, {@code node.named("containers", "agent")}. */
    record Node(Object value) {

        Node at(String path) {
            Object current = value;
            for (String key : path.split("\\.")) {
                if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                    throw new AssertionError("no " + key + " (of " + path + ") in " + current);
                }
                current = map.get(key);
            }
            return new Node(current);
        }

        boolean has(String key) {
            return value instanceof Map<?, ?> map && map.containsKey(key);
        }

        /** The element of a list at {@code path} whose {@code name} is {@code name}. */
        Node named(String path, String name) {
            return list(path).stream().filter(n -> name.equals(n.at("name").value())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in " + path));
        }

        List<Node> list(String path) {
            Object list = at(path).value();
            if (!(list instanceof List<?> items)) {
                throw new AssertionError(path + " is not a list: " + list);
            }
            return items.stream().map(Node::new).toList();
        }

        String text(String path) {
            return String.valueOf(at(path).value());
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(String path) {
            return (Map<String, Object>) at(path).value();
        }
    }
}
