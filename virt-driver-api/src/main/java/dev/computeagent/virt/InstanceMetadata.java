package dev.computeagent.virt;

import java.util.Map;
import java.util.Objects;

/**
 * What the agent stores with an instance so that the hypervisor alone can tell what the instance
 * is after a restart. All strings are data: a driver stores them so that no character can change
 * the structure of its own records.
 *
 * @param name         the user-facing name, 1–255 characters of any text
 * @param flavor       the instance's size
 * @param imageId      the base image's id
 * @param ownerHost    the agent host that owns the instance
 * @param userMetadata the user's key/value metadata
 * @param annotations  the agent's own key/value data (request ids, state, timestamps); mutable
 *                     through {@link ComputeDriver#updateAnnotations}
 */
public record InstanceMetadata(String name, Flavor flavor, String imageId, String ownerHost,
                               Map<String, String> userMetadata, Map<String, String> annotations) {

    public InstanceMetadata {
        Objects.requireNonNull(name, "name");
        Checks.range("name length", name.length(), 1, 255);
        Objects.requireNonNull(flavor, "flavor");
        Checks.notBlank("imageId", imageId);
        Checks.notBlank("ownerHost", ownerHost);
        userMetadata = Map.copyOf(userMetadata);
        annotations = Map.copyOf(annotations);
    }

    public InstanceMetadata withAnnotations(Map<String, String> newAnnotations) {
        return new InstanceMetadata(name, flavor, imageId, ownerHost, userMetadata, newAnnotations);
    }
}
