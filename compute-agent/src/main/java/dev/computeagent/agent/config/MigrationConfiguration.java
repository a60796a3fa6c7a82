package dev.computeagent.agent.config;

import dev.computeagent.agent.amqp.ArrivalNoticeReplies;
import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.migration.ArrivalClaims;
import dev.computeagent.agent.migration.DestinationCheck;
import dev.computeagent.agent.migration.DestinationClient;
import dev.computeagent.agent.migration.IncomingMigrations;
import dev.computeagent.agent.migration.MigrateAbortHandler;
import dev.computeagent.agent.migration.MigrateHandler;
import dev.computeagent.agent.migration.MigrationAbortHandler;
import dev.computeagent.agent.migration.MigrationAdoptHandler;
import dev.computeagent.agent.migration.MigrationCheckHandler;
import dev.computeagent.agent.migration.MigrationPolicy;
import dev.computeagent.agent.migration.MigrationPrepareHandler;
import dev.computeagent.agent.migration.MigrationProgressReporting;
import dev.computeagent.agent.migration.MigrationTimeouts;
import dev.computeagent.agent.migration.MigrationsInFlight;
import dev.computeagent.agent.migration.OutgoingMigrations;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.migration.StaleCopyRemoval;
import dev.computeagent.agent.migration.PreparedMigrationExpiry;
import dev.computeagent.agent.migration.ResizeSourceConfirmHandler;
import dev.computeagent.agent.migration.ResizeSourceRevertHandler;
import dev.computeagent.agent.migration.ResizeToAnotherHost;
import dev.computeagent.agent.handler.ResizeArrival;
import dev.computeagent.agent.power.PowerStateSync;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.MigrationProgressBoard;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Migration, both sides: the source's {@code migrate} handler and the destination's four
 * {@code migration.*} handlers with their shared record of incoming migrations; host ownership
 * ({@link OwnedInstancesDriver}) is the collaborator adopt claims instances through.
 */
@Configuration(proxyBeanMethods = false)
public class MigrationConfiguration {

    @Bean
    MigrationsInFlight migrationsInFlight() {
        return new MigrationsInFlight();
    }

    /** The power-state sync leaves instances in flight to their migration. */
    @Bean
    PowerStateSync powerStateSync(ComputeDriver driver, InstanceLanes lanes, InstanceStore store,
                                  InstanceRegistry registry, EventSink events, MigrationsInFlight migrations) {
        return new PowerStateSync(driver, lanes, store, registry, events, migrations::contains);
    }

    @Bean
    MigrationProgressBoard migrationProgressBoard() {
        return new MigrationProgressBoard();
    }

    @Bean(destroyMethod = "close")
    ProgressEventPublisher progressEventPublisher(EventSink events) {
        return new ProgressEventPublisher(events);
    }

    @Bean
    OutgoingMigrations outgoingMigrations() {
        return new OutgoingMigrations();
    }

    @Bean
    MigrateAbortHandler migrateAbortHandler(OutgoingMigrations outgoing, MigrationDriver migrationDriver,
                                            InstanceStore store) {
        return new MigrateAbortHandler(outgoing, migrationDriver, store, MigrateAbortHandler.DEFAULT_BOUND);
    }

    @Bean
    MigrateHandler migrateHandler(ComputeDriver driver, MigrationDriver migrationDriver,
                                  DestinationClient destinations, InstanceStore store, InstanceFiles files,
                                  MigrationsInFlight inFlight, OutgoingMigrations outgoing,
                                  MigrationProgressBoard progressBoard, ProgressEventPublisher progressEvents,
                                  AgentProperties properties, SecurityGroupDriver groups,
                                  StaleCopyRemoval staleCopies) {
        AgentProperties.Libvirt libvirt = properties.libvirt();
        return new MigrateHandler(driver, migrationDriver, destinations, store, files, inFlight, outgoing,
                properties.host(),
                properties.stateDir(), MigrationTimeouts.DEFAULTS,
                new MigrationPolicy(libvirt.migrationBandwidth(), libvirt.migrationAutoConverge(), false,
                        libvirt.migrationPermitPostCopy(), libvirt.migrationPostCopyAfter()),
                new MigrationProgressReporting(progressBoard, progressEvents, properties.migration().progressInterval()), groups,
                staleCopies);
    }

    /** Stale copies of instances this host let go are removed as soon as libvirt allows: from start-up on. */
    @Bean(destroyMethod = "close")
    StaleCopyRemoval staleCopyRemoval(OwnedInstancesDriver ownership) {
        StaleCopyRemoval removal = new StaleCopyRemoval(ownership,
                BackgroundTasks.daemonScheduler("stale-copy-removal"));
        removal.removeAllSoon();
        return removal;
    }

    @Bean
    IncomingMigrations incomingMigrations(InstanceFiles files, MigrationsInFlight inFlight, HostCapacity capacity,
                                          MigrationDriver migrationDriver) {
        return new IncomingMigrations(files, inFlight, capacity, migrationDriver);
    }

    @Bean
    DestinationCheck destinationCheck(InstanceStore store, InstanceFiles files, HostCapacity capacity,
                                      AgentProperties properties) {
        return new DestinationCheck(store, files, capacity, properties.effectiveMigrationUri(), properties.stateDir());
    }

    @Bean
    MigrationCheckHandler migrationCheckHandler(DestinationCheck check) {
        return new MigrationCheckHandler(check);
    }

    @Bean
    MigrationPrepareHandler migrationPrepareHandler(IncomingMigrations incoming, ImageCache images,
                                                    InstanceFiles files, InstanceProvisioner provisioner,
                                                    HostCapacity capacity, DestinationCheck check,
                                                    SecurityGroupDriver groups) {
        return new MigrationPrepareHandler(incoming, images, files, provisioner, capacity, check, groups);
    }

    @Bean
    MigrationAdoptHandler migrationAdoptHandler(IncomingMigrations incoming, OwnedInstancesDriver ownership,
                                                MigrationDriver migrationDriver, ImageCache images,
                                                InstanceStore store, InstanceFiles files,
                                                InstanceProvisioner provisioner, AgentProperties properties,
                                                ResizeFiles resizeFiles, ResizeArrival arrival, EventSink events) {
        return new MigrationAdoptHandler(incoming, ownership, migrationDriver, images, store, files, provisioner,
                properties.host(), resizeFiles, arrival, new ArrivalNoticeReplies(events));
    }

    // resize to another host: the source's move over this protocol, the source's two ends
    @Bean
    ResizeToAnotherHost resizeToAnotherHost(MigrateHandler migrate, DestinationClient destinations,
                                            ResizeFiles resizeFiles, AgentProperties properties) {
        return new ResizeToAnotherHost(migrate, destinations, resizeFiles, MigrationTimeouts.DEFAULTS,
                properties.host());
    }

    @Bean
    ResizeSourceConfirmHandler resizeSourceConfirmHandler(ResizeFiles resizeFiles, InstanceFiles files,
                                                          InstanceStore store) {
        return new ResizeSourceConfirmHandler(resizeFiles, files, store);
    }

    @Bean
    ResizeSourceRevertHandler resizeSourceRevertHandler(ResizeFiles resizeFiles, InstanceStore store,
                                                        OwnedInstancesDriver ownership, MigrationDriver migrationDriver,
                                                        InstanceProvisioner provisioner, ImageCache images,
                                                        SecurityGroupDriver groups, AgentProperties properties) {
        return ResizeSourceRevertHandler.create(resizeFiles, store, ownership, migrationDriver, provisioner, images,
                groups, properties.host());
    }

    @Bean
    MigrationAbortHandler migrationAbortHandler(IncomingMigrations incoming, OwnedInstancesDriver ownership,
                                                SecurityGroupDriver groups) {
        return new MigrationAbortHandler(incoming, ownership, groups);
    }

    @Bean
    ArrivalClaims arrivalClaims(OwnedInstancesDriver ownership, IncomingMigrations incoming, MigrationAdoptHandler adopt,
                                InstanceLanes lanes) {
        return new ArrivalClaims(ownership, incoming, adopt, (uuid, task) -> lanes.submit(uuid, task::run));
    }

    @Bean
    PreparedMigrationExpiry preparedMigrationExpiry(IncomingMigrations incoming, OwnedInstancesDriver ownership,
                                                    InstanceLanes lanes, AgentProperties properties,
                                                    SecurityGroupDriver groups) {
        return new PreparedMigrationExpiry(incoming, ownership, properties.migration().preparedExpiry(),
                (uuid, task) -> lanes.submit(uuid, task::run), groups);
    }
}
