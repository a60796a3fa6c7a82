package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.NicSpec;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MacAddressesTest {

    private static final UUID UUID_1 = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");

    @Test
    void nicsWithoutAMacGetAStableOpenStackMacAndOwnMacsAreKept() {
        NicSpec own = new NicSpec(NicSpec.Type.BRIDGE, Optional.of("br0"), Optional.of("52:54:00:12:34:56"), "e1000");
        List<NicSpec> nics = List.of(NicSpec.network("default"), own, NicSpec.user());

        List<NicSpec> assigned = MacAddresses.assign(UUID_1, nics);

        assertThat(assigned).hasSize(3);
        assertThat(assigned.get(1)).isEqualTo(own);
        assertThat(assigned.get(0).mac())
                .hasValueSatisfying(mac -> assertThat(mac).matches("fa:16:3e(:[0-9a-f]{2}){3}"));
        assertThat(assigned.get(2).mac()).hasValueSatisfying(mac -> assertThat(mac).startsWith("fa:16:3e:"));
        assertThat(assigned.get(0).mac()).isNotEqualTo(assigned.get(2).mac());
        assertThat(assigned.get(0).source()).contains("default");
        assertThat(assigned.get(2).type()).isEqualTo(NicSpec.Type.USER);
        assertThat(MacAddresses.assign(UUID_1, nics)).as("a redelivered spawn chooses the same").isEqualTo(assigned);
        assertThat(MacAddresses.assign(UUID.randomUUID(), nics).get(0)).isNotEqualTo(assigned.get(0));
    }

    @Test
    void aDerivedMacNeverRepeatsAnotherNicOfTheInstance() {
        String derived = MacAddresses.assign(UUID_1, List.of(NicSpec.user())).get(0).mac().orElseThrow();
        NicSpec taken = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of(derived), "virtio");

        List<NicSpec> assigned = MacAddresses.assign(UUID_1, List.of(NicSpec.user(), taken));

        assertThat(assigned.get(0).mac()).isPresent().isNotEqualTo(Optional.of(derived));
        assertThat(assigned.get(1).mac()).contains(derived);
    }
}
