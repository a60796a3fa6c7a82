package dev.computeagent.virt.libvirt.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.migration.IncomingState;
import org.junit.jupiter.api.Test;

/** libvirt's state and reason numbers (libvirt-domain.h) as an incoming migration's standing. */
class DomainStateReasonTest {

    private static final int RUNNING = 1;
    private static final int PAUSED = 3;
    private static final int SHUTOFF = 5;

    @Test
    void aGuestRunningOrPausedInPostCopyOrAnIncomingPreCopyIsStillArriving() {
        assertThat(DomainStateReason.incoming(RUNNING, 10)).isEqualTo(IncomingState.IN_PROGRESS);
        assertThat(DomainStateReason.incoming(PAUSED, 12)).isEqualTo(IncomingState.IN_PROGRESS);
        assertThat(DomainStateReason.incoming(PAUSED, 2)).isEqualTo(IncomingState.IN_PROGRESS);
    }

    @Test
    void aFailedPostCopyPausedOrRunningOnIsFailed() {
        assertThat(DomainStateReason.incoming(PAUSED, 13)).isEqualTo(IncomingState.POST_COPY_FAILED);
        assertThat(DomainStateReason.incoming(RUNNING, 11)).isEqualTo(IncomingState.POST_COPY_FAILED);
    }

    @Test
    void aGuestRunningAfterTheMigrationOrForAnyOtherReasonHasArrived() {
        assertThat(DomainStateReason.incoming(RUNNING, 2)).isEqualTo(IncomingState.ARRIVED);
        assertThat(DomainStateReason.incoming(RUNNING, 1)).isEqualTo(IncomingState.ARRIVED);
        assertThat(DomainStateReason.incoming(PAUSED, 1)).isEqualTo(IncomingState.ARRIVED);
        assertThat(DomainStateReason.incoming(SHUTOFF, 0)).isEqualTo(IncomingState.ARRIVED);
    }
}
