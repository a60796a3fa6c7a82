package dev.computeagent.agent.asyncapi;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's AsyncAPI document ({@code classpath:asyncapi/asyncapi.yaml}) loaded once, with JSON
 * Schema (draft-07) validation against any schema inside it by JSON pointer. Uses Jackson 2 because
 * the networknt validator does.
 */
final class AsyncApiDocument {

    static final String RESOURCE = "asyncapi/asyncapi.yaml";

    /**
     * The official AsyncAPI 3.0.0 JSON Schema ({@code schemas/3.0.0-without-$id.json} of the npm
     * package {@code @asyncapi/specs} 6.11.1, Apache-2.0), minified; a test resource only.
     */
    static final String SPEC_SCHEMA = "asyncapi/asyncapi-3.0.0.schema.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Draft-07 plus {@code components}, the container the wrapper schema carries the document's schemas in. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory
            .builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7))
            .metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV7())
                    .keyword(new NonValidationKeyword("components")).build())
            .build();
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true).build();
    private static final JsonNode ROOT = load();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private AsyncApiDocument() {
    }

    static JsonNode root() {
        return ROOT;
    }

    /** The node at a local reference such as {@code #/components/messages/spawnCommand}; missing = a missing node. */
    static JsonNode resolve(String localRef) {
        if (!localRef.startsWith("#")) {
            throw new IllegalArgumentException("not a local reference: " + localRef);
        }
        return ROOT.at(JsonPointer.compile(localRef.substring(1)));
    }

    /** Validation messages of the whole document against the official AsyncAPI 3.0.0 schema (empty = valid). */
    static Set<ValidationMessage> validateAgainstSpecification() {
        return validateAgainstSpecification(ROOT);
    }

    /** Validation messages of {@code document} (e.g. a broken copy) against the official AsyncAPI 3.0.0 schema. */
    static Set<ValidationMessage> validateAgainstSpecification(JsonNode document) {
        try (InputStream in = AsyncApiDocument.class.getClassLoader().getResourceAsStream(SPEC_SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SPEC_SCHEMA + " is not on the classpath");
            }
            JsonSchema specification = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                    .getSchema(JSON.readTree(in), SchemaValidatorsConfig.builder().build());
            return specification.validate(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validation messages of {@code instance} against the schema at {@code pointer} (empty = valid). */
    static Set<ValidationMessage> validate(String pointer, JsonNode instance) {
        return SCHEMAS.computeIfAbsent(pointer, AsyncApiDocument::compile).validate(instance);
    }

    /** Validation messages of a JSON text (as the agent's own mapper wrote it). */
    static Set<ValidationMessage> validateJson(String pointer, String json) {
        try {
            return validate(pointer, JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String messagePayload(String messageName) {
        return "#/components/messages/" + messageName + "/payload";
    }

    static String schema(String schemaName) {
        return "#/components/schemas/" + schemaName;
    }

    /** A draft-07 schema whose root is a {@code $ref} into the document's components. */
    private static JsonSchema compile(String pointer) {
        if (resolve(pointer).isMissingNode()) {
            throw new IllegalArgumentException("no schema at " + pointer);
        }
        ObjectNode wrapper = JSON.createObjectNode();
        wrapper.put("$schema", "http://json-schema.org/draft-07/schema#");
        wrapper.put("$ref", pointer);
        wrapper.set("components", ROOT.get("components"));
        return FACTORY.getSchema(wrapper, CONFIG);
    }

    private static JsonNode load() {
        try (InputStream in = AsyncApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
