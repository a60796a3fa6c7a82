package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.StopArgs;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.PowerState;
import java.time.Duration;

/**
 * {@code stop}: graceful shutdown (through the guest agent where the instance has one, else ACPI)
 * until the timeout, then forced off (the driver's contract); a paused instance at once; a stopped instance is
 * success. Unknown =
 * {@code INSTANCE_NOT_FOUND}.
 */
public final class StopHandler implements CommandHandler<StopArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;

    public StopHandler(ComputeDriver driver, InstanceStore store) {
        this.driver = driver;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.STOP;
    }

    @Override
    public Outcome handle(Command<StopArgs> command) {
        // a paused guest cannot act on a shutdown request: waiting for it would only delay the forced stop
        boolean paused = store.find(command.instanceUuid()).map(i -> i.powerState() == PowerState.PAUSED).orElse(false);
        driver.stop(command.instanceUuid(), paused ? Duration.ZERO : command.args().timeout());
        return Outcome.of(store.record(command.instanceUuid(), InstanceState.STOPPED, null));
    }
}
