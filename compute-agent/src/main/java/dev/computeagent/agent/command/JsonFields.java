package dev.computeagent.agent.command;

import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Typed reads of one JSON object's fields for the validator: each read names the field by its path
 * ({@code where}) in the {@link Invalid} it throws, so a rejection says exactly what is wrong.
 */
final class JsonFields {

    private static final int ABBREVIATE_AT = 64;

    private JsonFields() {
    }

    static String pattern(JsonNode node, String field, Pattern pattern, String rule, String prefix) {
        String value = requiredString(node, prefix + field, field);
        if (!pattern.matcher(value).matches()) {
            throw new Invalid(prefix + field + " must be " + rule);
        }
        return value;
    }

    static String requiredString(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Invalid(where + " is required");
        }
        if (!v.isString()) {
            throw new Invalid(where + " must be a string");
        }
        return v.stringValue();
    }

    static Optional<String> optionalString(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isString()) {
            throw new Invalid(where + " must be a string");
        }
        return Optional.of(v.stringValue());
    }

    static long requiredLong(JsonNode node, String where, String field, long min, long max) {
        return optionalLong(node, where, field, min, max).orElseThrow(() -> new Invalid(where + " is required"));
    }

    static Optional<Long> optionalLong(JsonNode node, String where, String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Invalid(where + " must be an integer");
        }
        long value = v.longValue();
        if (value < min || value > max) {
            throw new Invalid(where + " must be within [" + min + ", " + max + "]");
        }
        return Optional.of(value);
    }

    static @Nullable Integer optionalInt(JsonNode node, String where, String field, int min, int max) {
        return optionalLong(node, where, field, min, max).map(Long::intValue).orElse(null);
    }

    static Optional<Boolean> optionalBoolean(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw new Invalid(where + " must be a boolean");
        }
        return Optional.of(v.booleanValue());
    }

    /** The object at {@code field}, or null when absent or null. */
    static @Nullable JsonNode optionalObject(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new Invalid(where + " must be an object");
        }
        return v;
    }

    static String abbreviate(String s) {
        return s.length() <= ABBREVIATE_AT ? s : s.substring(0, ABBREVIATE_AT) + "…";
    }
}
