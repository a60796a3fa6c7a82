package dev.computeagent.image.store;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads Glance v2 image JSON; absent and {@code null} fields become empty. */
final class MetadataParser {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    /** Glance v2's own image fields; every other top-level field is an additional property. */
    private static final Set<String> CORE_FIELDS = Set.of("id", "name", "status", "visibility", "protected",
            "os_hidden", "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "min_ram",
            "min_disk", "container_format", "disk_format", "created_at", "updated_at", "tags", "self", "file",
            "schema", "direct_url", "locations", "stores");

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
                number(root, "virtual_size"), properties(root));
    }

    /** Additional properties are strings in Glance v2; a field of another type is not one. */
    private static Map<String, String> properties(JsonNode root) {
        Map<String, String> properties = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!CORE_FIELDS.contains(field.getKey()) && field.getValue().isString()) {
                properties.put(field.getKey(), field.getValue().stringValue());
            }
        }
        return properties;
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
