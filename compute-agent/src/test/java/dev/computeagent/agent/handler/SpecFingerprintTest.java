package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecFingerprintTest {

    private static SpawnArgs request(Map<String, String> publicKeys) {
        return TestCommands.spawnArgs("web-1", new Flavor(2, 512, 1, 0), "cirros", List.of(NicSpec.network("default")),
                Map.of("role", "db"), Optional.of("#cloud-config\n".getBytes(StandardCharsets.UTF_8)), publicKeys);
    }

    @Test
    void aSpawnWithoutPublicKeysKeepsTheFingerprintOlderAgentsRecorded() {
        // what the agent before public_keys computed (main at 59e4bc9): instances it spawned must still match
        assertThat(SpecFingerprint.of(request(Map.of())))
                .isEqualTo("ed66ae2afcc5dd07c5a8669bf846d7b9535bbf5dc18eb476eed6dca0a00ce805");
    }

    @Test
    void publicKeysArePartOfTheSpecInAnyOrder() {
        String none = SpecFingerprint.of(request(Map.of()));
        String one = SpecFingerprint.of(request(Map.of("alice", SshKeys.ED25519)));
        String other = SpecFingerprint.of(request(Map.of("alice", SshKeys.RSA)));

        assertThat(one).isNotEqualTo(none).isNotEqualTo(other);
        assertThat(SpecFingerprint.of(request(Map.of("a", SshKeys.ED25519, "b", SshKeys.RSA))))
                .isEqualTo(SpecFingerprint.of(request(Map.of("b", SshKeys.RSA, "a", SshKeys.ED25519))));
    }
}
