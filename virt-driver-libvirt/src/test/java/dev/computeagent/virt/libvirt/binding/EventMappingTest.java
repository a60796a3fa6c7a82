package dev.computeagent.virt.libvirt.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerState;
import org.junit.jupiter.api.Test;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;

class EventMappingTest {

    @Test
    void stoppedDetailsTellCrashAndMigrationApartFromAPlainStop() {
        // detail numbers are libvirt's VIR_DOMAIN_EVENT_STOPPED_* values
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.STOPPED, 0))).isEqualTo(LifecycleEvent.Type.STOPPED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.STOPPED, 1))).isEqualTo(LifecycleEvent.Type.STOPPED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.STOPPED, 2))).isEqualTo(LifecycleEvent.Type.CRASHED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.STOPPED, 3))).isEqualTo(LifecycleEvent.Type.MIGRATED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.STARTED, 0))).isEqualTo(LifecycleEvent.Type.STARTED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.SHUTDOWN, 0))).isEqualTo(LifecycleEvent.Type.SHUTDOWN);
    }

    @Test
    void onlyAResumeAtTheEndOfAnIncomingMigrationIsAnArrival() {
        // VIR_DOMAIN_EVENT_RESUMED_*: UNPAUSED 0, MIGRATED 1, FROM_SNAPSHOT 2, POSTCOPY 3 (still arriving)
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.RESUMED, 1))).isEqualTo(LifecycleEvent.Type.ARRIVED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.RESUMED, 0))).isEqualTo(LifecycleEvent.Type.RESUMED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.RESUMED, 2))).isEqualTo(LifecycleEvent.Type.RESUMED);
        assertThat(EventMapping.type(new DomainEvent(DomainEventType.RESUMED, 3))).isEqualTo(LifecycleEvent.Type.RESUMED);
        assertThat(EventMapping.impliedState(LifecycleEvent.Type.ARRIVED)).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void everyDomainStateHasAPowerState() {
        assertThat(EventMapping.powerState(DomainState.VIR_DOMAIN_BLOCKED)).isEqualTo(PowerState.RUNNING);
        assertThat(EventMapping.powerState(DomainState.VIR_DOMAIN_SHUTOFF)).isEqualTo(PowerState.SHUTDOWN);
        assertThat(EventMapping.powerState(DomainState.VIR_DOMAIN_PMSUSPENDED)).isEqualTo(PowerState.PAUSED);
        assertThat(EventMapping.powerState(DomainState.VIR_DOMAIN_CRASHED)).isEqualTo(PowerState.CRASHED);
        for (DomainState state : DomainState.values()) {
            assertThat(EventMapping.powerState(state)).isNotNull();
        }
        for (LifecycleEvent.Type type : LifecycleEvent.Type.values()) {
            assertThat(EventMapping.impliedState(type)).isNotNull();
        }
    }
}
