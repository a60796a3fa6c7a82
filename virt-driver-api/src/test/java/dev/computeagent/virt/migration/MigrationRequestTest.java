package dev.computeagent.virt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationRequestTest {

    @Test
    void defaultsFollowTheMigrateCommand() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-2/system").build();

        assertThat(request.storage()).isEqualTo(StorageMode.SHARED);
        assertThat(request.maxDowntime()).isEqualTo(Duration.ofMillis(500));
        assertThat(request.explicitCompletionTimeout()).isEmpty();
        assertThat(request.autoConverge()).isFalse();
        assertThat(request.unsafe()).isFalse();
    }

    @Test
    void completionTimeoutScalesWithMemoryWhenAbsent() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-2/system").build();

        assertThat(request.effectiveCompletionTimeout(4096)).isEqualTo(Duration.ofSeconds(3200));
        assertThat(request.effectiveCompletionTimeout(1536)).isEqualTo(Duration.ofSeconds(1200));
    }

    @Test
    void scaledCompletionTimeoutNeverDropsBelowTheFloor() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-2/system").build();

        assertThat(request.effectiveCompletionTimeout(64)).isEqualTo(MigrationRequest.MIN_SCALED_COMPLETION_TIMEOUT);
    }

    @Test
    void explicitCompletionTimeoutWinsOverScaling() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://node-2/system")
                .completionTimeout(Duration.ofSeconds(7)).build();

        assertThat(request.effectiveCompletionTimeout(65536)).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void rejectsSomethingThatIsNotAUri() {
        assertThatThrownBy(() -> MigrationRequest.to("node-2").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node-2");
    }

    @Test
    void rejectsNonPositiveDurations() {
        assertThatThrownBy(() -> MigrationRequest.to("qemu+tcp://n/system").maxDowntime(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDowntime");
        assertThatThrownBy(() -> MigrationRequest.to("qemu+tcp://n/system")
                .completionTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("completionTimeout");
    }

    @Test
    void pathRewritesMustBeAbsolute() {
        assertThat(MigrationRequest.to("qemu+tcp://n/system").rewritePaths(Path.of("/a"), Path.of("/b")).build()
                .pathRewrites()).containsEntry(Path.of("/a"), Path.of("/b"));
        assertThatThrownBy(() -> MigrationRequest.to("qemu+tcp://n/system")
                .rewritePaths(Path.of("a"), Path.of("/b")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
    }

    @Test
    void bandwidthIsUnlimitedByDefaultAndNeverNegative() {
        assertThat(MigrationRequest.to("qemu+tcp://n/system").build().bandwidthMibPerSecond()).isZero();
        assertThat(MigrationRequest.to("qemu+tcp://n/system").bandwidthMibPerSecond(32).build().bandwidthMibPerSecond())
                .isEqualTo(32);
        assertThatThrownBy(() -> MigrationRequest.to("qemu+tcp://n/system").bandwidthMibPerSecond(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bandwidth");
    }

    @Test
    void withPathRewriteKeepsEverythingElse() {
        MigrationRequest request = MigrationRequest.to("qemu+tcp://n/system").storage(StorageMode.BLOCK_INCREMENTAL)
                .completionTimeout(Duration.ofSeconds(5)).autoConverge(true).bandwidthMibPerSecond(8).build();

        MigrationRequest rewritten = request.withPathRewrite(Path.of("/a"), Path.of("/b"));

        assertThat(rewritten.pathRewrites()).containsExactly(Map.entry(Path.of("/a"), Path.of("/b")));
        assertThat(new MigrationRequest(rewritten.destinationUri(), rewritten.storage(), rewritten.maxDowntime(),
                rewritten.completionTimeout(), rewritten.stallTimeout(), rewritten.autoConverge(), rewritten.unsafe(),
                rewritten.pollInterval(), Map.of(), rewritten.bandwidthMibPerSecond())).isEqualTo(request);
    }

    @Test
    void postCopyIsPermittedOnlyWithAPositiveSwitchDelay() {
        MigrationRequest.Builder request = MigrationRequest.to("qemu+tcp://n/system");

        assertThat(request.build().postCopyPermitted()).isFalse();
        MigrationRequest permitted = request.postCopyAfter(Duration.ofSeconds(30)).build();
        assertThat(permitted.postCopyPermitted()).isTrue();
        assertThat(permitted.withPathRewrite(Path.of("/a"), Path.of("/b")).postCopyAfter())
                .isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> request.postCopyAfter(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedPostCopyIsNeverRetriable() {
        assertThat(new MigrationException(MigrationException.Step.TRANSFER,
                MigrationException.Reason.POST_COPY_FAILED, false, "destination died", null).retriable()).isFalse();
    }

    @Test
    void onlyTransientFailuresAreRetriable() {
        assertThat(new MigrationException(MigrationException.Step.MONITOR, MigrationException.Reason.TIMED_OUT,
                "slow", null).retriable()).isTrue();
        assertThat(new MigrationException(MigrationException.Step.TRANSFER,
                MigrationException.Reason.DESTINATION_REFUSED, "no", null).retriable()).isFalse();
    }
}
