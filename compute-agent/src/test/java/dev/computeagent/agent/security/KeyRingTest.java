package dev.computeagent.agent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {

    private static final String SECRET_A = "a-secret-that-is-long-enough-0123456789";
    private static final String SECRET_B = "b-secret-that-is-long-enough-0123456789";

    @TempDir
    Path dir;

    @Test
    void readsAKubernetesSecretVolumeAndSkipsItsDotEntries() throws Exception {
        // a Secret volume: ..<timestamp>/ holds the files, ..data links to it, each key links into ..data
        Path stamp = Files.createDirectory(dir.resolve("..2026_12_06_22_00_00.1"));
        Files.writeString(stamp.resolve("k1"), SECRET_A + "\n");
        Files.createSymbolicLink(dir.resolve("..data"), stamp.getFileName());
        Files.createSymbolicLink(dir.resolve("k1"), Path.of("..data", "k1"));

        KeyRing ring = KeyRing.load(dir, null, "default", null);

        assertThat(ring.activeKeyId()).contains("k1");
        assertThat(ring.key("k1")).hasValueSatisfying(k -> assertThat(new String(k.getEncoded())).isEqualTo(SECRET_A));
        assertThat(ring.key("..data")).isEmpty();
        assertThat(ring.toString()).isEqualTo("KeyRing[keys=[k1], active=k1]");
    }

    @Test
    void severalKeysNeedTheActiveOneNamedAndAcceptEach() throws Exception {
        Files.writeString(dir.resolve("old"), SECRET_A);
        Files.writeString(dir.resolve("new"), SECRET_B);

        assertThatThrownBy(() -> KeyRing.load(dir, null, "default", null))
                .hasMessageContaining("agent.internal-auth.active-key-id").hasMessageContaining("[new, old]");
        assertThatThrownBy(() -> KeyRing.load(dir, null, "default", "other"))
                .hasMessageContaining("other is not one of the configured keys");
        KeyRing ring = KeyRing.load(dir, SECRET_B.replace('b', 'c'), "inline", "new");
        assertThat(ring.activeKeyId()).contains("new");
        assertThat(ring.key("old")).isPresent();
        assertThat(ring.key("inline")).isPresent();
    }

    @Test
    void aShortKeyOrABadIdStopsTheStartWithoutQuotingTheSecret() throws Exception {
        Files.writeString(dir.resolve("short"), "only-31-bytes-0123456789abcdefg");

        assertThatThrownBy(() -> KeyRing.load(dir, null, "default", null))
                .hasMessageContaining("key file").hasMessageContaining("shorter than 32 bytes")
                .hasMessageNotContaining("only-31-bytes");
        assertThatThrownBy(() -> KeyRing.load(null, SECRET_A, "bad id", null))
                .hasMessageContaining("key id must be").hasMessageNotContaining(SECRET_A);
        assertThatThrownBy(() -> KeyRing.load(dir.resolve("missing"), null, "default", null))
                .hasMessageContaining("agent.internal-auth.keys-dir");
    }

    @Test
    void noKeyIsAnEmptyRingWhichCannotBeMadeActive() {
        assertThat(KeyRing.load(null, null, "default", null).isEmpty()).isTrue();
        assertThat(KeyRing.load(null, "  ", "default", null).isEmpty()).isTrue();
        assertThatThrownBy(() -> KeyRing.load(null, null, "default", "k1"))
                .hasMessageContaining("no key is configured");
    }
}
