package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.virt.InstanceInfo;
import java.util.Map;
import java.util.UUID;

/** For tests of resizes on one host: any call to another host is a test failure. */
public enum NoOtherHosts implements ResizeAcrossHosts {
    INSTANCE;

    @Override
    public Outcome resize(Command<ResizeArgs> command, InstanceInfo info, ResizeRecord record) {
        throw new AssertionError("no other host in this test");
    }

    @Override
    public Outcome resume(Command<ResizeArgs> command, ResizeRecord record) {
        throw new AssertionError("no other host in this test");
    }

    @Override
    public Map<String, Object> confirmOnSource(UUID uuid, ResizeRecord record) {
        throw new AssertionError("no other host in this test");
    }

    @Override
    public Map<String, Object> revertOnSource(UUID uuid, ResizeRecord record) {
        throw new AssertionError("no other host in this test");
    }
}
