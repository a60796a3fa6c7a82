package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.libvirt.binding.DomainPower;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Stop policy: the shutdown request re-sent every interval (unless libvirt still works on the last one)
 * until the deadline, then forced, then waited for.
 */
class PowerControlTest {

    @Test
    void acpiIsResentEveryIntervalUntilTheTimeoutThenTheDomainIsForcedOff() {
        ScriptedDomain deaf = new ScriptedDomain(Integer.MAX_VALUE);
        PowerControl power = new PowerControl(Duration.ofMillis(100), Duration.ofSeconds(5));

        long started = System.nanoTime();
        power.stop(deaf, Duration.ofMillis(450));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(deaf.calls).startsWith("shutdown").endsWith("destroy");
        assertThat(deaf.calls.stream().filter("shutdown"::equals).count()).isBetween(3L, 6L);
        assertThat(elapsedMs).isBetween(450L, 2000L);
        assertThat(deaf.isActive()).isFalse();
    }

    @Test
    void aGuestThatHonoursAcpiIsNeverForced() {
        ScriptedDomain polite = new ScriptedDomain(2);
        PowerControl power = new PowerControl(Duration.ofMillis(50), Duration.ofSeconds(5));

        power.stop(polite, Duration.ofSeconds(5));

        assertThat(polite.calls).containsExactly("shutdown", "shutdown");
        assertThat(polite.isActive()).isFalse();
    }

    @Test
    void aRequestLibvirtStillWorksOnIsNotResentAndDoesNotHoldTheStopPastItsDeadline() {
        CompletableFuture<Void> neverAnswered = new CompletableFuture<>();
        ScriptedDomain agentBusy = new ScriptedDomain(Integer.MAX_VALUE) {
            @Override
            public Future<?> requestShutdown() {
                calls.add("shutdown");
                return neverAnswered;
            }
        };
        PowerControl power = new PowerControl(Duration.ofMillis(50), Duration.ofSeconds(5));

        long started = System.nanoTime();
        power.stop(agentBusy, Duration.ofMillis(400));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(agentBusy.calls).containsExactly("shutdown", "destroy");
        assertThat(elapsedMs).isBetween(400L, 2000L);
    }

    @Test
    void aRefusedRequestIsSentAgainNextRound() {
        ScriptedDomain refusingOnce = new ScriptedDomain(2) {
            @Override
            public Future<?> requestShutdown() {
                Future<?> answered = super.requestShutdown();
                return calls.size() == 1
                        ? CompletableFuture.failedFuture(new HypervisorException("agent not connected")) : answered;
            }
        };
        PowerControl power = new PowerControl(Duration.ofMillis(50), Duration.ofSeconds(5));

        power.stop(refusingOnce, Duration.ofSeconds(5));

        assertThat(refusingOnce.calls).containsExactly("shutdown", "shutdown");
        assertThat(refusingOnce.isActive()).isFalse();
    }

    @Test
    void zeroTimeoutForcesAtOnceAndAnInactiveDomainIsLeftAlone() {
        ScriptedDomain running = new ScriptedDomain(Integer.MAX_VALUE);
        PowerControl power = new PowerControl(Duration.ofSeconds(10), Duration.ofSeconds(5));

        power.stop(running, Duration.ZERO);
        power.stop(running, Duration.ofSeconds(1));

        assertThat(running.calls).containsExactly("destroy");
    }

    @Test
    void aDomainThatSurvivesDestroyEndsInATimeout() {
        ScriptedDomain undead = new ScriptedDomain(Integer.MAX_VALUE) {
            @Override
            public void destroy() {
                calls.add("destroy");
            }
        };
        PowerControl power = new PowerControl(Duration.ofSeconds(10), Duration.ofMillis(200));

        assertThatThrownBy(() -> power.forceOff(undead)).isInstanceOf(OperationTimeoutException.class);
    }

    @Test
    void aRefusedDestroyOfADomainThatIsStillRunningIsReported() {
        ScriptedDomain stuck = new ScriptedDomain(Integer.MAX_VALUE) {
            @Override
            public void destroy() {
                throw new HypervisorException("device busy");
            }
        };
        PowerControl power = new PowerControl(Duration.ofSeconds(10), Duration.ofMillis(200));

        assertThatThrownBy(() -> power.forceOff(stuck)).isInstanceOf(HypervisorException.class)
                .hasMessage("device busy");
    }

    /** A domain that powers off after {@code shutdownsNeeded} shutdown requests, or at once when destroyed. */
    private static class ScriptedDomain implements DomainPower {
        final List<String> calls = new CopyOnWriteArrayList<>();
        private final int shutdownsNeeded;
        private volatile boolean active = true;

        ScriptedDomain(int shutdownsNeeded) {
            this.shutdownsNeeded = shutdownsNeeded;
        }

        @Override
        public String name() {
            return "instance-test";
        }

        @Override
        public boolean isActive() {
            return active;
        }

        @Override
        public Future<?> requestShutdown() {
            calls.add("shutdown");
            if (calls.stream().filter("shutdown"::equals).count() >= shutdownsNeeded) {
                active = false;
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void destroy() {
            calls.add("destroy");
            active = false;
        }
    }
}
