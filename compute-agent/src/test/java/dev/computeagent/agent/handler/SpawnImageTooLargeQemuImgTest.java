package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.testing.TestImages;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store contract (docs/architecture.md, "Contracts") through the spawn handler: an image above the flavor's root disk never enters the cache. */
class SpawnImageTooLargeQemuImgTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path store;
    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private ImageCache cache;
    private InstanceFiles files;
    private SpawnHandler spawn;

    @BeforeEach
    void setUp() {
        TestImages.requireQemuImg();
        cache = ImageCaches.open(ImageCacheSettings.defaults(stateDir, store.toUri()));
        files = new InstanceFiles(stateDir, "test-host");
        spawn = TestSpawns.handler(driver, cache, new InstanceRegistry("h1"), files, "h1");
    }

    @AfterEach
    void tearDown() {
        cache.close();
        driver.close();
    }

    private Command<SpawnArgs> spawnOf(UUID uuid, String image, long rootGb) {
        return TestCommands.spawn("r-" + uuid, uuid, TestCommands.spawnArgs("vm", new Flavor(1, 128, rootGb, 0), image,
                List.of(), Map.of(), Optional.empty()));
    }

    @Test
    void anImageAboveTheRootDiskIsTooLargeAndTheCacheStaysEmpty() throws Exception {
        TestImages.emptyQcow2(store.resolve("two-gib"), 2 * GIB);
        UUID uuid = UUID.randomUUID();
        assertThatThrownBy(() -> spawn.handle(spawnOf(uuid, "two-gib", 1)))
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE));
        assertThat(cache.list()).isEmpty();
        Path base = stateDir.resolve("_base");
        if (Files.isDirectory(base)) {
            try (Stream<Path> left = Files.list(base)) {
                // lock files stay by design; no base, partial download or conversion may
                assertThat(left.filter(p -> !p.getFileName().toString().endsWith(".lock"))).isEmpty();
            }
        }
        assertThat(files.exists(uuid)).isFalse();
        assertThat(driver.callCount(FakeOperation.SPAWN)).isZero();
    }

    @Test
    void theSameImageFitsARootDiskAsLargeAsItsVirtualSize() {
        TestImages.emptyQcow2(store.resolve("two-gib"), 2 * GIB);
        driver.setCheckDiskFiles(true);
        UUID uuid = UUID.randomUUID();
        assertThat(spawn.handle(spawnOf(uuid, "two-gib", 2)).payload()).containsEntry("state", "ACTIVE");
        assertThat(cache.list()).hasSize(1);
        assertThat(files.disk(uuid)).isRegularFile();
    }
}
