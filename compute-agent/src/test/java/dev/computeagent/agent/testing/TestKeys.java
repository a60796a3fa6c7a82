package dev.computeagent.agent.testing;

import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The agent-to-agent keys of the tests: a key directory as a mounted Secret holds it (file name = key
 * id), the agent properties that point an agent at it, and a signer with the same key (what a
 * legitimate peer agent sends).
 */
public final class TestKeys {

    public static final String KEY_ID = "test-2026";
    /** Random-looking, 48 bytes: what {@code openssl rand -base64 36} prints. */
    public static final String SECRET = "q8VtX0m2bN7yJ4kR1sW9eH3cL6pA5dZ0uF2gT8vK1xC4nM7rB9";

    private TestKeys() {
    }

    /** Writes the key into {@code dir} (created), mode 0700/0600 as a Secret volume would be. */
    public static Path writeKeyDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path key = dir.resolve(KEY_ID);
        Files.writeString(key, SECRET + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return dir;
    }

    /** The agent properties that configure the key inline (no file needed). */
    public static Map<String, String> agentProperties() {
        return Map.of("agent.internal-auth.key", SECRET, "agent.internal-auth.key-id", KEY_ID);
    }

    public static KeyRing ring() {
        return KeyRing.load(null, SECRET, KEY_ID, null);
    }

    /** Signs and verifies as an agent holding the test key. */
    public static InternalSignature signature() {
        return new InternalSignature(ring(), Clock.systemUTC(), Duration.ofMinutes(15));
    }
}
