package dev.computeagent.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

class GuestAgentProbeTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger pings = new AtomicInteger();
    private GuestAgentProbe probe;

    @AfterEach
    void tearDown() {
        release.countDown();
        if (probe != null) {
            probe.close();
        }
    }

    /** A driver whose guest-agent ping answers {@code answer}, after {@link #release} when {@code hang}. */
    private GuestAgentProbe probeOf(GuestAgentStatus answer, boolean hang) {
        ComputeDriver driver = (ComputeDriver) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ComputeDriver.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("guestAgent")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    pings.incrementAndGet();
                    if (hang) {
                        release.await(30, TimeUnit.SECONDS);
                    }
                    return answer;
                });
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("driver", driver);
        probe = new GuestAgentProbe(beans.getBeanProvider(ComputeDriver.class));
        return probe;
    }

    @Test
    void aPingThatHangsHoldsTheCallerAtMostTheWaitAndIsNotSentTwice() {
        GuestAgentProbe hanging = probeOf(GuestAgentStatus.RESPONSIVE, true);
        UUID uuid = UUID.randomUUID();

        long started = System.nanoTime();
        assertThat(hanging.status(uuid)).isEmpty();
        assertThat(hanging.status(uuid)).isEmpty();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(waited).isBetween(GuestAgentProbe.WAIT.multipliedBy(2), GuestAgentProbe.WAIT.multipliedBy(4));
        assertThat(pings).as("the second caller shares the ping in flight").hasValue(1);
        release.countDown();
    }

    @Test
    void aFreshAnswerIsGivenAgainWithoutAnotherPing() {
        GuestAgentProbe answering = probeOf(GuestAgentStatus.NOT_RESPONDING, false);
        UUID uuid = UUID.randomUUID();

        assertThat(answering.status(uuid)).contains(GuestAgentStatus.NOT_RESPONDING);
        assertThat(answering.status(uuid)).contains(GuestAgentStatus.NOT_RESPONDING);

        assertThat(pings).hasValue(1);
    }

    @Test
    void aFailedPingIsUnknownAndAskedAgain() {
        FakeComputeDriver fake = new FakeComputeDriver();
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("driver", fake);
        probe = new GuestAgentProbe(beans.getBeanProvider(ComputeDriver.class));
        UUID uuid = UUID.randomUUID();

        assertThat(probe.status(uuid)).as("no such instance").isEmpty();
        assertThat(probe.status(uuid)).isEmpty();

        assertThat(fake.callCount(FakeOperation.GUEST_AGENT)).isEqualTo(2);
        fake.close();
    }
}
