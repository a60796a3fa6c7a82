package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import dev.computeagent.virt.migration.StorageMode;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationPlanTest {

    private static final String URI = "qemu+tcp://node-2/system";
    private static final MigrationPolicy DEFAULTS = MigrationPolicy.DEFAULTS;
    private static final MigrationPolicy UNSAFE = new MigrationPolicy(0, false, true);

    @Test
    void theHostsPolicySetsBandwidthAndAutoConvergeForLiveAndColdMoves() {
        MigrationPolicy policy = new MigrationPolicy(64, true, false);

        for (Boolean live : new Boolean[] {true, false}) {
            MigrationPlan plan = MigrationPlan.decide(new MigrateArgs("node-2", live, null, null, null, null), false,
                    URI, policy);
            assertThat(plan.request().bandwidthMibPerSecond()).isEqualTo(64);
            assertThat(plan.request().autoConverge()).isTrue();
        }
        assertThat(MigrationPlan.decide(new MigrateArgs("node-2", null, null, null, null, null), false, URI, DEFAULTS)
                .request().bandwidthMibPerSecond()).as("no limit by default").isZero();
    }

    @Test
    void postCopyIsRequestedOnlyWhenTheHostsPolicyPermitsIt() {
        MigrateArgs args = new MigrateArgs("node-2", null, null, null, null, null);
        MigrationPolicy permitted = new MigrationPolicy(4, false, false, true, Duration.ofSeconds(20));
        MigrationPolicy notPermitted = new MigrationPolicy(4, false, false, false, Duration.ofSeconds(20));

        assertThat(MigrationPlan.decide(args, true, URI, permitted).request().postCopyAfter())
                .isEqualTo(Duration.ofSeconds(20));
        assertThat(MigrationPlan.decide(args, true, URI, notPermitted).request().postCopyPermitted()).isFalse();
        assertThat(MigrationPlan.decide(args, true, URI, DEFAULTS).request().postCopyPermitted()).isFalse();
    }

    @Test
    void absentBlockMigrationCopiesOnlyWhenStorageIsNotShared() {
        MigrateArgs args = new MigrateArgs("node-2", null, null, null, null, null);

        MigrationPlan.Live shared = (MigrationPlan.Live) MigrationPlan.decide(args, true, URI, DEFAULTS);
        MigrationPlan.Live local = (MigrationPlan.Live) MigrationPlan.decide(args, false, URI, DEFAULTS);

        assertThat(shared.request().storage()).isEqualTo(StorageMode.SHARED);
        assertThat(shared.destinationNeedsOverlay()).isFalse();
        assertThat(local.request().storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(local.destinationNeedsOverlay()).isTrue();
        assertThat(local.request().destinationUri()).isEqualTo(URI);
    }

    @Test
    void commandArgumentsBecomeTheDriverRequest() {
        MigrateArgs args = new MigrateArgs("node-2", true, null, 120, 30, null);

        MigrationPlan.Live plan = (MigrationPlan.Live) MigrationPlan.decide(args, true, URI, UNSAFE);

        assertThat(plan.request().maxDowntime()).isEqualTo(Duration.ofMillis(120));
        assertThat(plan.request().explicitCompletionTimeout()).contains(Duration.ofSeconds(30));
        assertThat(plan.request().unsafe()).isTrue();
    }

    @Test
    void sharedVolumesAreKeptInPlaceAndUnsafeAppliesToThem() {
        MigrateArgs args = new MigrateArgs("node-2", true, null, null, null, null);

        MigrationPlan.Live plan = (MigrationPlan.Live) MigrationPlan.decide(args, false, URI, UNSAFE, Set.of("vdb"));
        MigrationPlan.Live safe = (MigrationPlan.Live) MigrationPlan.decide(args, false, URI, DEFAULTS, Set.of("vdb"));

        assertThat(plan.request().storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(plan.request().keptDisks()).containsExactly("vdb");
        assertThat(plan.request().unsafe()).isTrue();
        assertThat(safe.request().unsafe()).isFalse();
    }

    @Test
    void defaultsAreFiveHundredMillisecondsAndAScaledTimeout() {
        MigrationPlan.Live plan = (MigrationPlan.Live) MigrationPlan.decide(
                new MigrateArgs("node-2", null, null, null, null, null), false, URI, UNSAFE);

        assertThat(plan.request().maxDowntime()).isEqualTo(Duration.ofMillis(500));
        assertThat(plan.request().explicitCompletionTimeout()).isEmpty();
        assertThat(plan.request().unsafe()).as("unsafe only ever applies to shared storage").isFalse();
    }

    @Test
    void blockMigrationOntoSharedStorageIsRefused() {
        assertThatThrownBy(() -> MigrationPlan.decide(new MigrateArgs("node-2", true, true, null, null, null), true,
                URI, DEFAULTS)).isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
                    assertThat(e.retriable()).isFalse();
                });
    }

    @Test
    void noCopyBetweenHostsThatDoNotShareIsRefused() {
        assertThatThrownBy(() -> MigrationPlan.decide(new MigrateArgs("node-2", true, false, null, null, null), false,
                URI, DEFAULTS)).isInstanceOf(CommandFailedException.class).hasMessageContaining("does not share");
    }

    @Test
    void coldMigrationCopiesTheOverlayUnlessShared() {
        MigrationPlan local = MigrationPlan.decide(new MigrateArgs("node-2", false, null, null, 40, null), false, URI,
                DEFAULTS);
        MigrationPlan shared = MigrationPlan.decide(new MigrateArgs("node-2", false, null, null, null, null), true, URI,
                DEFAULTS);

        assertThat(local).isInstanceOf(MigrationPlan.Cold.class);
        assertThat(local.destinationNeedsOverlay()).isTrue();
        assertThat(local.request().storage()).isEqualTo(StorageMode.BLOCK_INCREMENTAL);
        assertThat(local.request().explicitCompletionTimeout()).contains(Duration.ofSeconds(40));
        assertThat(shared).isInstanceOf(MigrationPlan.Cold.class);
        assertThat(shared.destinationNeedsOverlay()).isFalse();
    }

    @Test
    void aTimedOutMigrationIsReportedAsTimeoutWithStepAndReason() {
        CommandFailedException failure = MigrationFailures.toCommandFailure(
                new MigrationException(Step.MONITOR, Reason.TIMED_OUT, "slow", null));

        assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(failure.retriable()).isTrue();
        assertThat(failure.getMessage()).contains("step monitor").contains("timed out")
                .contains("still runs on the source");
    }

    @Test
    void otherMigrationFailuresAreMigrationFailed() {
        CommandFailedException failure = MigrationFailures.toCommandFailure(
                new MigrationException(Step.TRANSFER, Reason.DESTINATION_REFUSED, false, "no disk", null));

        assertThat(failure.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
        assertThat(failure.getMessage()).contains("step transfer").contains("destination refused")
                .contains("not confirmed running");
    }
}
