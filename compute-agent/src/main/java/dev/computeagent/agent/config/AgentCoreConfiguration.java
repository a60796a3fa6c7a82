package dev.computeagent.agent.config;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.execution.CommandExecutor;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.ConfirmResizeHandler;
import dev.computeagent.agent.handler.DeleteHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.PauseHandler;
import dev.computeagent.agent.handler.RebootHandler;
import dev.computeagent.agent.handler.RebuildCompletion;
import dev.computeagent.agent.handler.RebuildHandler;
import dev.computeagent.agent.handler.RebuildRecovery;
import dev.computeagent.agent.handler.RescueHandler;
import dev.computeagent.agent.handler.MovedResizeEnd;
import dev.computeagent.agent.handler.ResizeAcrossHosts;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.handler.ResizeCompletion;
import dev.computeagent.agent.handler.ResizeEnding;
import dev.computeagent.agent.handler.ResizeHandler;
import dev.computeagent.agent.handler.ResizeRecovery;
import dev.computeagent.agent.handler.ResumeHandler;
import dev.computeagent.agent.handler.RevertResizeHandler;
import dev.computeagent.agent.handler.SetSecurityGroupsHandler;
import dev.computeagent.agent.handler.SnapshotHandler;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.handler.StartHandler;
import dev.computeagent.agent.handler.StopHandler;
import dev.computeagent.agent.handler.AttachInterfaceHandler;
import dev.computeagent.agent.handler.AttachVolumeHandler;
import dev.computeagent.agent.handler.DetachInterfaceHandler;
import dev.computeagent.agent.handler.DetachVolumeHandler;
import dev.computeagent.agent.handler.SuspendHandler;
import dev.computeagent.agent.handler.UnpauseHandler;
import dev.computeagent.agent.handler.UnrescueHandler;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.recovery.HostLeftovers;
import dev.computeagent.virt.device.DeviceDriver;
import dev.computeagent.agent.heartbeat.Heartbeat;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.power.PowerStateSync;
import dev.computeagent.agent.power.ReconnectResync;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.recovery.FailedSpawnCleanup;
import dev.computeagent.agent.migration.StaleCopyRemoval;
import dev.computeagent.agent.recovery.InterruptedSpawns;
import dev.computeagent.agent.recovery.SnapshotLeftovers;
import dev.computeagent.agent.recovery.StartupReconciler;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.network.NetworkDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Wires the agent's core: state, provisioning, lanes, journal, handlers, executor, recovery, power-state
 * sync and heartbeat; the broker side ({@link MessagingConfiguration}) and migration
 * ({@link MigrationConfiguration}) come with it. The driver, the migration driver and the image cache come
 * from {@link BackendConfiguration} (tests replace them).
 */
@Configuration(proxyBeanMethods = false)
@Import({MessagingConfiguration.class, MigrationConfiguration.class})
public class AgentCoreConfiguration {

    /** genisoimage writes well under 1 MiB: seconds mean a stuck process. */
    static final Duration CONFIG_DRIVE_TIMEOUT = Duration.ofSeconds(30);

    @Bean
    Clock agentClock() {
        return Clock.systemUTC();
    }

    @Bean
    InstanceRegistry instanceRegistry(AgentProperties properties) {
        return new InstanceRegistry(properties.host());
    }

    @Bean
    InstanceFiles instanceFiles(AgentProperties properties) {
        return new InstanceFiles(properties.stateDir(), properties.host());
    }

    @Bean
    InstanceStore instanceStore(ComputeDriver driver, InstanceRegistry registry) {
        return new InstanceStore(driver, registry);
    }

    @Bean
    FileRequestJournal requestJournal(AgentProperties properties, Clock clock) {
        return new FileRequestJournal(properties.stateDir().resolve("journal"), AgentJson.mapper(), clock);
    }

    @Bean
    InstanceLanes instanceLanes(AgentProperties properties) {
        return new InstanceLanes(properties.maxConcurrentOperations());
    }

    @Bean
    HostCapacity hostCapacity(ComputeDriver driver, InstanceFiles files, InstanceRegistry registry) {
        return new HostCapacity(driver, files, registry);
    }

    @Bean
    ConfigDriveBuilder configDriveBuilder() {
        return new ConfigDriveBuilder(new ProcessRunner(), CONFIG_DRIVE_TIMEOUT);
    }

    @Bean
    InstanceProvisioner instanceProvisioner(ImageCache images, InstanceFiles files, ConfigDriveBuilder configDrives) {
        return new InstanceProvisioner(images, files, configDrives);
    }

    @Bean
    SpawnHandler spawnHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                              InstanceProvisioner provisioner, HostCapacity capacity, AgentProperties properties,
                              Clock clock, MeterRegistry meters, NetworkDriver networks,
                              SecurityGroupDriver groups) {
        AgentProperties.ConfigDrive drive = properties.configDrive();
        return new SpawnHandler(driver, images, store, files, provisioner, capacity,
                new ConfigDriveOptions(drive.force(), drive.availabilityZone()), properties.host(), clock, meters,
                networks, groups);
    }

    @Bean
    StartHandler startHandler(ComputeDriver driver, InstanceStore store) {
        return new StartHandler(driver, store);
    }

    @Bean
    StopHandler stopHandler(ComputeDriver driver, InstanceStore store) {
        return new StopHandler(driver, store);
    }

    @Bean
    RebootHandler rebootHandler(ComputeDriver driver, InstanceStore store) {
        return new RebootHandler(driver, store);
    }

    @Bean
    DeleteHandler deleteHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                SecurityGroupDriver groups) {
        return new DeleteHandler(driver, store, files, groups);
    }

    @Bean
    SetSecurityGroupsHandler setSecurityGroupsHandler(InstanceStore store, SecurityGroupDriver groups) {
        return new SetSecurityGroupsHandler(store, groups);
    }

    @Bean
    PauseHandler pauseHandler(PowerOperations power, InstanceStore store) {
        return new PauseHandler(power, store);
    }

    @Bean
    UnpauseHandler unpauseHandler(PowerOperations power, InstanceStore store) {
        return new UnpauseHandler(power, store);
    }

    @Bean
    SuspendHandler suspendHandler(PowerOperations power, InstanceStore store) {
        return new SuspendHandler(power, store);
    }

    @Bean
    ResumeHandler resumeHandler(PowerOperations power, InstanceStore store) {
        return new ResumeHandler(power, store);
    }

    @Bean
    ResizeFiles resizeFiles(InstanceFiles files) {
        return new ResizeFiles(files);
    }

    @Bean
    ResizeCompletion resizeCompletion(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles,
                                      InstanceProvisioner provisioner) {
        return new ResizeCompletion(driver, store, resizeFiles, provisioner);
    }

    @Bean
    ResizeHandler resizeHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                                ResizeFiles resizeFiles, InstanceProvisioner provisioner, HostCapacity capacity,
                                ResizeCompletion completion, ResizeAcrossHosts acrossHosts) {
        return new ResizeHandler(driver, images, store, files, resizeFiles, provisioner, capacity, completion,
                acrossHosts);
    }

    @Bean
    ResizeArrival resizeArrival(ComputeDriver driver, ImageCache images, InstanceFiles files, ResizeFiles resizeFiles,
                                InstanceProvisioner provisioner, InstanceStore store) {
        return new ResizeArrival(driver, images, files, resizeFiles, provisioner, store);
    }

    @Bean
    MovedResizeEnd movedResizeEnd(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                  ResizeFiles resizeFiles, ResizeAcrossHosts acrossHosts, AgentProperties properties,
                                  SecurityGroupDriver groups) {
        return new MovedResizeEnd(driver, store, files, resizeFiles, acrossHosts, properties.host(), groups);
    }

    @Bean
    ResizeEnding resizeEnding(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles) {
        return new ResizeEnding(driver, store, resizeFiles);
    }

    @Bean
    ConfirmResizeHandler confirmResizeHandler(ResizeEnding ending, ResizeCompletion completion, MovedResizeEnd moved) {
        return new ConfirmResizeHandler(ending, completion, moved);
    }

    @Bean
    RevertResizeHandler revertResizeHandler(ResizeEnding ending, ResizeCompletion completion, MovedResizeEnd moved) {
        return new RevertResizeHandler(ending, completion, moved);
    }

    @Bean
    ResizeRecovery resizeRecovery(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles,
                                  ResizeCompletion completion, ResizeArrival arrival, MovedResizeEnd moved) {
        return new ResizeRecovery(driver, store, resizeFiles, completion, arrival, moved);
    }

    @Bean
    RescueHandler rescueHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                                InstanceProvisioner provisioner) {
        return new RescueHandler(driver, images, store, files, provisioner);
    }

    @Bean
    UnrescueHandler unrescueHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                    InstanceProvisioner provisioner) {
        return new UnrescueHandler(driver, store, files, provisioner);
    }

    @Bean
    SnapshotHandler snapshotHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files) {
        return new SnapshotHandler(driver, images, store, files);
    }

    @Bean
    AttachVolumeHandler attachVolumeHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        return new AttachVolumeHandler(driver, devices, store);
    }

    @Bean
    DetachVolumeHandler detachVolumeHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        return new DetachVolumeHandler(driver, devices, store);
    }

    @Bean
    AttachInterfaceHandler attachInterfaceHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        return new AttachInterfaceHandler(driver, devices, store);
    }

    @Bean
    DetachInterfaceHandler detachInterfaceHandler(ComputeDriver driver, DeviceDriver devices, InstanceStore store) {
        return new DetachInterfaceHandler(driver, devices, store);
    }

    @Bean
    RebuildFiles rebuildFiles(InstanceFiles files) {
        return new RebuildFiles(files);
    }

    @Bean
    RebuildCompletion rebuildCompletion(ComputeDriver driver, InstanceStore store, RebuildFiles rebuildFiles,
                                        InstanceProvisioner provisioner) {
        return new RebuildCompletion(driver, store, rebuildFiles, provisioner);
    }

    @Bean
    RebuildHandler rebuildHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                                  RebuildFiles rebuildFiles, InstanceProvisioner provisioner, AgentProperties properties,
                                  RebuildCompletion completion) {
        AgentProperties.ConfigDrive drive = properties.configDrive();
        return new RebuildHandler(driver, images, store, files, rebuildFiles, provisioner,
                new ConfigDriveOptions(drive.force(), drive.availabilityZone()), completion);
    }

    @Bean
    RebuildRecovery rebuildRecovery(InstanceStore store, RebuildFiles rebuildFiles, RebuildCompletion completion) {
        return new RebuildRecovery(store, rebuildFiles, completion);
    }

    /** Every handler bean, checked at start-up: a command without one stops the agent. */
    @Bean
    HandlerRegistry handlerRegistry(List<CommandHandler<?>> handlers) {
        return new HandlerRegistry(handlers);
    }

    @Bean
    CommandExecutor commandExecutor(InstanceLanes lanes, HandlerRegistry handlers, FileRequestJournal journal,
                                    EventSink events, InstanceStore store, MeterRegistry meters) {
        return new CommandExecutor(lanes, handlers, journal, events, store, meters);
    }

    @Bean
    FailedSpawnCleanup failedSpawnCleanup(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                          InstanceLanes lanes) {
        return new FailedSpawnCleanup(driver, store, files, lanes);
    }

    @Bean
    InterruptedSpawns interruptedSpawns(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                        InstanceLanes lanes) {
        return new InterruptedSpawns(driver, store, files, lanes);
    }

    @Bean
    StartupReconciler startupReconciler(ComputeDriver driver, InstanceStore store, InstanceRegistry registry,
                                        InstanceFiles files, FailedSpawnCleanup failedSpawns,
                                        InterruptedSpawns interruptedSpawns, ResizeRecovery resizes,
                                        RebuildRecovery rebuilds, EventSink events, OwnedInstancesDriver ownership,
                                        SecurityGroupDriver groups, MigrationDriver migrations) {
        return new StartupReconciler(driver, store, registry, files, failedSpawns, interruptedSpawns, resizes, rebuilds,
                new SnapshotLeftovers(driver, files), events, ownership::existsForAnyHost,
                new HostLeftovers(groups, migrations, ownership::existsForAnyHost));
    }

    /**
     * After every reconnect: the clean-ups the outage cut short (on the lanes; stale copies on their own thread),
     * then a full power-state pass.
     */
    @Bean
    ReconnectResync reconnectResync(ComputeDriver driver, FailedSpawnCleanup failedSpawns,
                                    InterruptedSpawns interruptedSpawns, PowerStateSync powerSync,
                                    ObjectProvider<StaleCopyRemoval> staleCopies) {
        return new ReconnectResync(driver, () -> {
            failedSpawns.resumeAll();
            interruptedSpawns.resumeAll();
            staleCopies.ifAvailable(StaleCopyRemoval::removeAllSoon);
            powerSync.syncAll();
        });
    }

    @Bean
    Heartbeat heartbeat(HostStatusService status, EventSink events) {
        return new Heartbeat(status, events);
    }
}
