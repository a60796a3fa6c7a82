package dev.computeagent.agent.handler;

import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The two ends of a resize to another host, on its destination (the owner of the resized instance, where
 * {@code confirm_resize} and {@code revert_resize} are sent). Confirm: the source drops what it kept
 * (old disks, old definition), then the instance's state here follows its power state again. Revert: the
 * copy here is forced off first (never two running guests), the source defines the instance again with
 * its old flavor and disks and boots it when it ran, then the copy here is removed (domain, filter, directory,
 * as {@code delete} removes them): from that answer on
 * the source owns it. Both run again after a crash or a failure (the record's phase says which end is
 * under way; the source's side is idempotent); a source that does not answer fails the command
 * ({@code MIGRATION_FAILED}, retriable) with the record left for a re-sent command or the next start.
 */
public final class MovedResizeEnd {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final ResizeFiles resizeFiles;
    private final ResizeAcrossHosts acrossHosts;
    private final String host;
    private final SecurityGroupDriver groups;

    /** @param host this agent's {@code agent.host}, the resize's destination */
    public MovedResizeEnd(ComputeDriver driver, InstanceStore store, InstanceFiles files, ResizeFiles resizeFiles,
                          ResizeAcrossHosts acrossHosts, String host, SecurityGroupDriver groups) {
        this.groups = groups;
        this.driver = driver;
        this.store = store;
        this.files = files;
        this.resizeFiles = resizeFiles;
        this.acrossHosts = acrossHosts;
        this.host = host;
    }

    /** Keeps the new size for good; the outcome names {@code source} and {@code destination}. */
    public Outcome confirm(UUID uuid, ResizeRecord record) {
        acrossHosts.confirmOnSource(uuid, record);
        InstanceInfo info = driver.info(uuid);
        InstanceView view = store.record(info.withAnnotations(Annotations.with(info.metadata().annotations(),
                Annotations.RESIZE_REQUEST, record.requestId())), Annotations.fromPower(info.powerState()), null);
        resizeFiles.finish(uuid);
        return named(Outcome.payloadOf(view), record);
    }

    /** Sends the instance back as it was; the outcome is the instance on the source. */
    public Outcome revert(UUID uuid, ResizeRecord record) {
        driver.stop(uuid, Duration.ZERO);
        Map<String, Object> back = acrossHosts.revertOnSource(uuid, record);
        // the domain first: from here this host no longer lists it; a crash before the directory goes
        // leaves only files (the operator's, as any directory without a domain)
        driver.destroy(uuid);
        groups.remove(uuid);
        store.forget(uuid);
        files.delete(uuid);
        return named(back, record);
    }

    private Outcome named(Map<String, Object> payload, ResizeRecord record) {
        Map<String, Object> p = new LinkedHashMap<>(payload);
        p.put("source", record.sourceHost());
        p.put("destination", host);
        return new Outcome(p);
    }
}
