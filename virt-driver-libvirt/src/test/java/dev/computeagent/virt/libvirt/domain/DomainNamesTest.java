package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DomainNamesTest {

    private static final UUID ID = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");

    @Test
    void nameIsInstanceDashLowerCaseUuid() {
        assertThat(DomainNames.forUuid(UUID.fromString("8A3C7E9E-4B1F-4C55-9D2A-1F0E6C1D2B3A")))
                .isEqualTo("instance-8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
    }

    @Test
    void uuidOfInvertsForUuid() {
        assertThat(DomainNames.uuidOf(DomainNames.forUuid(ID))).contains(ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "instance-", "ubuntu-vm", "instance-8A3C7E9E-4B1F-4C55-9D2A-1F0E6C1D2B3A",
            "instance-8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a-copy", "xinstance-8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a",
            "instance-8a3c7e9e4b1f4c559d2a1f0e6c1d2b3a"})
    void otherNamesAreNotAgentDomains(String name) {
        assertThat(DomainNames.uuidOf(name)).isEmpty();
    }

    @Test
    void nullNameIsNotAnAgentDomain() {
        assertThat(DomainNames.uuidOf(null)).isEmpty();
    }
}
