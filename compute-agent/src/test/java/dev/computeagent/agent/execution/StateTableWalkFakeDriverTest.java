package dev.computeagent.agent.execution;

import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.fake.FakeComputeDriver;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The state table walked with the in-memory fake driver. */
class StateTableWalkFakeDriverTest extends StateTableWalk {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();

    @AfterEach
    void close() {
        driver.close();
    }

    @Override
    protected ComputeDriver driver() {
        return driver;
    }

    @Override
    protected PowerOperations power() {
        return driver;
    }

    @Override
    protected ImageCache images() {
        return images;
    }

    @Override
    protected Path stateDir() {
        return stateDir;
    }
}
