package dev.computeagent.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.PowerState;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InstanceStateMachineTest {

    @Test
    void everyControllerCommandHasARowAndNoInternalOneHas() {
        for (CommandName command : CommandName.values()) {
            assertThat(InstanceStateMachine.governs(command)).as(command.wireName()).isEqualTo(!command.internal());
        }
        assertThatThrownBy(() -> InstanceStateMachine.allows(CommandName.MIGRATION_ADOPT, InstanceState.ACTIVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("migration.adopt");
    }

    @Test
    void spawnAndDeleteAreAllowedInEveryStateAndErrorAllowsNothingElse() {
        assertThat(InstanceStateMachine.allowsEvery(CommandName.SPAWN)).isTrue();
        assertThat(InstanceStateMachine.allowsEvery(CommandName.DELETE)).isTrue();
        assertThat(Arrays.stream(CommandName.values()).filter(InstanceStateMachine::governs)
                .filter(c -> InstanceStateMachine.allows(c, InstanceState.ERROR)))
                .containsExactlyInAnyOrder(CommandName.SPAWN, CommandName.DELETE);
    }

    @Test
    void aRunningInstanceCanBeStoppedRebootedAndMigratedButABuildingOneCannot() {
        for (CommandName c : new CommandName[] {CommandName.STOP, CommandName.REBOOT, CommandName.MIGRATE}) {
            assertThat(InstanceStateMachine.allows(c, InstanceState.ACTIVE)).as(c.wireName()).isTrue();
            assertThat(InstanceStateMachine.allows(c, InstanceState.BUILDING)).as(c.wireName()).isFalse();
            assertThat(InstanceStateMachine.allows(c, InstanceState.SUSPENDED)).as(c.wireName()).isFalse();
        }
        assertThat(InstanceStateMachine.allows(CommandName.MIGRATE, InstanceState.PAUSED)).isFalse();
        assertThat(InstanceStateMachine.allowedStates(CommandName.START))
                .containsExactlyInAnyOrder(InstanceState.ACTIVE, InstanceState.STOPPED);
    }

    @Test
    void idleStatesFollowThePowerStateAndWorkInProgressStays() {
        assertThat(InstanceStateMachine.current(InstanceState.ACTIVE, PowerState.SHUTDOWN)).isEqualTo(InstanceState.STOPPED);
        assertThat(InstanceStateMachine.current(InstanceState.ACTIVE, PowerState.PAUSED)).isEqualTo(InstanceState.PAUSED);
        assertThat(InstanceStateMachine.current(InstanceState.PAUSED, PowerState.RUNNING)).isEqualTo(InstanceState.ACTIVE);
        assertThat(InstanceStateMachine.current(InstanceState.STOPPED, PowerState.CRASHED)).isEqualTo(InstanceState.STOPPED);
        // a managed save leaves the domain shut off: still suspended; started behind our back, it runs
        assertThat(InstanceStateMachine.current(InstanceState.SUSPENDED, PowerState.SHUTDOWN))
                .isEqualTo(InstanceState.SUSPENDED);
        assertThat(InstanceStateMachine.current(InstanceState.SUSPENDED, PowerState.RUNNING)).isEqualTo(InstanceState.ACTIVE);
        for (InstanceState kept : new InstanceState[] {InstanceState.BUILDING, InstanceState.MIGRATING, InstanceState.ERROR}) {
            assertThat(InstanceStateMachine.current(kept, PowerState.RUNNING)).isEqualTo(kept);
            assertThat(InstanceStateMachine.current(kept, PowerState.SHUTDOWN)).isEqualTo(kept);
        }
    }
}
