package dev.computeagent.virt.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PowerOperations} must show, run against the in-memory fake and the libvirt
 * driver alike, on top of the {@link ComputeDriverContract} of the same driver.
 */
public abstract class PowerOperationsContract extends ComputeDriverContract {

    /** The power operations of {@link #driver()}'s instances. */
    protected abstract PowerOperations power();

    private PowerState powerOf(InstanceSpec spec) {
        return driver().info(spec.uuid()).powerState();
    }

    @Test
    void pauseFreezesARunningInstanceUnpauseLetsItRunAndBothAreIdempotent() {
        InstanceSpec spec = newSpec("pause");
        driver().spawn(spec);
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        try (Subscription ignored = driver().subscribe(e -> {
            if (e.uuid().equals(spec.uuid())) {
                events.add(e);
            }
        })) {
            power().pause(spec.uuid());
            assertThat(powerOf(spec)).isEqualTo(PowerState.PAUSED);
            power().pause(spec.uuid());
            assertThat(powerOf(spec)).isEqualTo(PowerState.PAUSED);
            // what the power-state sync sees when someone pauses the guest behind the agent's back
            await().atMost(eventTimeout()).until(() -> events.stream()
                    .anyMatch(e -> e.type() == LifecycleEvent.Type.SUSPENDED && e.powerState() == PowerState.PAUSED));

            power().unpause(spec.uuid());
            assertThat(powerOf(spec)).isEqualTo(PowerState.RUNNING);
            power().unpause(spec.uuid());
            assertThat(powerOf(spec)).isEqualTo(PowerState.RUNNING);
            await().atMost(eventTimeout()).until(() -> events.stream()
                    .anyMatch(e -> e.type() == LifecycleEvent.Type.RESUMED && e.powerState() == PowerState.RUNNING));
        }
    }

    @Test
    void aPausedInstanceCanBeStoppedAndStaysDefined() {
        InstanceSpec spec = newSpec("pause-stop");
        driver().spawn(spec);
        power().pause(spec.uuid());

        driver().stop(spec.uuid(), Duration.ZERO);

        assertThat(powerOf(spec)).isEqualTo(PowerState.SHUTDOWN);
        assertThat(power().hasSavedState(spec.uuid())).isFalse();
    }

    @Test
    void suspendSavesTheInstanceOffAndResumeRestoresItRunning() {
        InstanceSpec spec = newSpec("suspend");
        driver().spawn(spec);
        assertThat(power().hasSavedState(spec.uuid())).isFalse();

        power().suspend(spec.uuid());
        assertThat(powerOf(spec)).isEqualTo(PowerState.SHUTDOWN);
        assertThat(power().hasSavedState(spec.uuid())).isTrue();
        power().suspend(spec.uuid());
        assertThat(power().hasSavedState(spec.uuid())).isTrue();

        power().resume(spec.uuid());
        assertThat(powerOf(spec)).isEqualTo(PowerState.RUNNING);
        assertThat(power().hasSavedState(spec.uuid())).isFalse();
        power().resume(spec.uuid());
        assertThat(powerOf(spec)).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void aSuspendedInstanceIsDestroyedWithItsSavedState() {
        InstanceSpec spec = newSpec("suspend-destroy");
        driver().spawn(spec);
        power().suspend(spec.uuid());

        driver().destroy(spec.uuid());

        assertThatThrownBy(() -> driver().info(spec.uuid())).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> power().hasSavedState(spec.uuid())).isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void pausingOrUnpausingAStoppedInstanceFailsAndLeavesItStopped() {
        InstanceSpec spec = newSpec("stopped");
        driver().spawn(spec);
        driver().stop(spec.uuid(), Duration.ZERO);

        assertThatThrownBy(() -> power().pause(spec.uuid())).isInstanceOf(HypervisorException.class);
        assertThatThrownBy(() -> power().unpause(spec.uuid())).isInstanceOf(HypervisorException.class);
        power().suspend(spec.uuid());

        assertThat(powerOf(spec)).isEqualTo(PowerState.SHUTDOWN);
        assertThat(power().hasSavedState(spec.uuid())).isFalse();
    }

    @Test
    void everyOperationOnAnUnknownInstanceIsInstanceNotFound() {
        UUID unknown = UUID.randomUUID();
        List<Consumer<UUID>> operations = List.of(power()::pause, power()::unpause, power()::suspend,
                power()::resume, power()::hasSavedState);
        for (Consumer<UUID> operation : operations) {
            assertThatThrownBy(() -> operation.accept(unknown)).isInstanceOf(InstanceNotFoundException.class);
        }
    }
}
