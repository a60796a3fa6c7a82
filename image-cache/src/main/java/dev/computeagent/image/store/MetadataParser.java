package dev.computeagent.image.store;

import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads Glance v2 image JSON; absent and {@code null} fields become empty. */
final class MetadataParser {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private MetadataParser() {
    }

    /** @throws IllegalArgumentException the body is not a JSON object with a string {@code status} */
    static ImageMetadata parse(byte[] json, String expectedId) {
        return parse(json, expectedId, Optional.empty());
    }

    /**
     * @param defaultStatus the status when the body has none (a directory store's hand-written JSON
     *                      may omit it); empty = a missing status is an error (Glance always sends one)
     * @throws IllegalArgumentException the body is not a JSON object, or has no status and no default applies
     */
    static ImageMetadata parse(byte[] json, String expectedId, Optional<String> defaultStatus) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("image metadata is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("image metadata is not a JSON object");
        }
        String id = text(root, "id").orElse(expectedId);
        String status = text(root, "status").or(() -> defaultStatus).orElseThrow(
                () -> new IllegalArgumentException("image metadata has no status"));
        return new ImageMetadata(id, status, text(root, "disk_format"), text(root, "container_format"),
                number(root, "size"),
                text(root, "checksum"), text(root, "os_hash_algo"), text(root, "os_hash_value"),
                number(root, "virtual_size"));
    }

    private static Optional<String> text(JsonNode root, String field) {
        JsonNode node = root.path(field);
        return node.isString() && !node.stringValue().isEmpty() ? Optional.of(node.stringValue()) : Optional.empty();
    }

    private static OptionalLong number(JsonNode root, String field) {
        JsonNode node = root.path(field);
        return node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0
                ? OptionalLong.of(node.longValue()) : OptionalLong.empty();
    }
}
