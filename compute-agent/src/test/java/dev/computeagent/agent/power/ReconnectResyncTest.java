package dev.computeagent.agent.power;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.fake.FakeComputeDriver;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A full pass follows every re-established hypervisor connection, and only those. */
class ReconnectResyncTest {

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final AtomicInteger passes = new AtomicInteger();
    private final ReconnectResync watch = new ReconnectResync(driver, passes::incrementAndGet);

    @Test
    void aSteadyConnectionNeedsNoPass() {
        watch.run();
        watch.run();
        assertThat(passes).hasValue(0);
    }

    @Test
    void aReconnectSeenOrNotWhileDownGetsExactlyOnePass() {
        driver.setConnected(false);
        watch.run();
        assertThat(passes).as("nothing to check while down").hasValue(0);
        driver.setConnected(true);
        watch.run();
        watch.run();
        assertThat(passes).hasValue(1);

        // an outage between two runs, never seen down
        driver.setConnected(false);
        driver.setConnected(true);
        watch.run();
        assertThat(passes).hasValue(2);
    }

    @Test
    void aDriverThatWasDownAtStartUpGetsAPassOnItsFirstConnection() {
        driver.setConnected(false);
        ReconnectResync late = new ReconnectResync(driver, passes::incrementAndGet);
        late.run();
        driver.setConnected(true);
        late.run();
        assertThat(passes).hasValue(1);
    }
}
