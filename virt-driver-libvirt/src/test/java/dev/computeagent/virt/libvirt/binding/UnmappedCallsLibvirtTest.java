package dev.computeagent.virt.libvirt.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The calls past libvirt-java are reachable with this libvirt-java and libvirt: a domain event callback of a kind
 * libvirt-java does not map registers and deregisters (so detaches wait for device-removed events instead of
 * polling, and migrations get their downtime), on libvirt's test driver.
 */
class UnmappedCallsLibvirtTest {

    private static final String URI = "test:///default";

    @Test
    void domainEventCallbacksOfUnmappedKindsRegisterAndDeregister() throws Exception {
        Prerequisites.requireLibvirt(URI);
        assertThat(UnmappedCalls.unavailable()).isEmpty();
        EventLoop.ensureStarted();
        Connect connect = new Connect(URI);
        try {
            Domain domain = connect.domainLookupByName("test");
            try (DeviceRemovals removals = DeviceRemovals.watch(connect, domain);
                 JobCompletions completions = JobCompletions.watch(connect, domain)) {
                assertThat(removals.eventDriven()).isTrue();
                assertThat(completions.registered()).isTrue();
            }
            domain.free();
        } finally {
            connect.close();
        }
    }
}
