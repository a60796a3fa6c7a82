package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A suspended instance (managed save) keeps its memory across a libvirtd crash and restart: after
 * {@code resume} the ticking guest's counter goes on from where it was saved, without a second boot. Runs on
 * a private libvirtd of {@link TwoLibvirtHosts} (never the machine's own), which the test kills and starts
 * again; the driver reconnects by itself.
 */
class SuspendSurvivesLibvirtdRestartTwoLibvirtHostsTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final Duration BOOT = Duration.ofSeconds(60);

    @Test
    void theSavedMemoryIsRestoredAfterLibvirtdWasKilledAndStartedAgain() {
        UUID uuid = UUID.randomUUID();
        Path dir = HOSTS.a().dir().resolve("suspend");
        Path log = MigrationGuests.consoleLog(dir, uuid);
        try (LibvirtComputeDriver driver = LibvirtComputeDriver.connect(
                LibvirtDriverSettings.defaults(HOSTS.a().unixUri()))) {
            PowerOperations power = driver.powerOperations();
            driver.spawn(MigrationGuests.spec(uuid, MigrationGuests.overlay(dir, uuid), log));
            try {
                awaitTick(log, 2);
                power.suspend(uuid);
                int savedAt = ConsoleTicks.read(log).last();
                assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
                assertThat(power.hasSavedState(uuid)).isTrue();

                HOSTS.killLibvirtd(HOSTS.a());
                HOSTS.startLibvirtd(HOSTS.a());

                await().atMost(BOOT).ignoreExceptions().until(() -> power.hasSavedState(uuid));
                power.resume(uuid);

                assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
                awaitTick(log, savedAt + 1);
                ConsoleTicks after = ConsoleTicks.read(log);
                assertThat(after.boots()).as("restored, not booted again").isEqualTo(1);
                assertThat(after.ticks()).as("the counter goes on after the saved one").contains(savedAt + 1);
                assertThat(power.hasSavedState(uuid)).isFalse();
            } finally {
                driver.destroy(uuid);
            }
        }
    }

    private static void awaitTick(Path log, int tick) {
        await().atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() -> ConsoleTicks.read(log).last() >= tick);
    }
}
