package dev.computeagent.agent.config;

import dev.computeagent.agent.amqp.AgentJson;
import dev.computeagent.agent.amqp.CommandIntake;
import dev.computeagent.agent.amqp.CommandListener;
import dev.computeagent.agent.amqp.EventPublisher;
import dev.computeagent.agent.amqp.RejectionSender;
import dev.computeagent.agent.amqp.Topology;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.execution.CommandExecutor;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.DeleteHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.RebootHandler;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.handler.StartHandler;
import dev.computeagent.agent.handler.StopHandler;
import dev.computeagent.agent.handler.UnsupportedMigrateHandler;
import dev.computeagent.agent.heartbeat.Heartbeat;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.migration.AmqpDestinationClient;
import dev.computeagent.agent.migration.IncomingMigrations;
import dev.computeagent.agent.migration.InternalMigrationHandler;
import dev.computeagent.agent.migration.MigrateHandler;
import dev.computeagent.agent.migration.MigrationPolicy;
import dev.computeagent.agent.migration.MigrationTimeouts;
import dev.computeagent.agent.migration.MigrationsInFlight;
import dev.computeagent.agent.power.PowerStateSync;
import dev.computeagent.agent.power.ReconnectResync;
import dev.computeagent.agent.recovery.FailedSpawnCleanup;
import dev.computeagent.agent.recovery.StartupReconciler;
import dev.computeagent.agent.security.InternalCommandGate;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import dev.computeagent.agent.state.CapacityReservations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.migration.MigrationDriver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the agent's core: topology, validation, lanes, journal, handlers, executor, recovery,
 * power-state sync, heartbeat and the command intake. The driver and the image cache come from
 * {@link BackendConfiguration} (tests replace them).
 */
@Configuration(proxyBeanMethods = false)
public class AgentCoreConfiguration {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentCoreConfiguration.class);

    /** How long a publish may wait for the broker's confirm. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(15);
    /** genisoimage writes well under 1 MiB: seconds mean a stuck process. */
    static final Duration CONFIG_DRIVE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * At-least-once needs publisher confirms whatever {@code spring.rabbitmq.*} says; the connection
     * is named after the host so operators (and tests) can tell agents apart in the broker.
     */
    @Bean
    static BeanPostProcessor agentConnectionFactorySettings(
            org.springframework.beans.factory.ObjectProvider<AgentProperties> properties) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof CachingConnectionFactory ccf) {
                    ccf.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
                    // resolved when the first connection opens, after configuration binding
                    ccf.setConnectionNameStrategy(cf -> "compute-agent-" + properties.getObject().host());
                }
                return bean;
            }
        };
    }

    @Bean
    Declarables agentTopology(AgentProperties properties) {
        return Topology.declarables(properties.host(), properties.deliveryLimit());
    }

    @Bean
    Clock agentClock() {
        return Clock.systemUTC();
    }

    /** The agent-to-agent keys; an invalid key set stops the start-up with a message naming the key id. */
    @Bean
    KeyRing internalKeys(AgentProperties properties) {
        AgentProperties.InternalAuth auth = properties.internalAuth();
        KeyRing keys = KeyRing.load(auth.keysDir(), auth.key(), auth.keyId(), auth.activeKeyId());
        if (keys.isEmpty()) {
            log.warn("no key for agent-to-agent commands (agent.internal-auth.keys-dir or agent.internal-auth.key): "
                    + "this agent neither sends nor accepts migration.* commands, so it cannot migrate");
        } else {
            log.info("agent-to-agent commands: {}", keys);
        }
        return keys;
    }

    @Bean
    InternalSignature internalSignature(KeyRing keys, Clock clock, AgentProperties properties) {
        return new InternalSignature(keys, clock, properties.internalAuth().maxAge());
    }

    @Bean
    InstanceRegistry instanceRegistry(AgentProperties properties) {
        return new InstanceRegistry(properties.host());
    }

    @Bean
    InstanceFiles instanceFiles(AgentProperties properties) {
        return new InstanceFiles(properties.stateDir());
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
    EventPublisher eventPublisher(ConnectionFactory connectionFactory, AgentProperties properties, Clock clock) {
        // a template of its own: the application's RabbitTemplate may be configured for other uses
        return new EventPublisher(new RabbitTemplate(connectionFactory), properties.host(), clock, CONFIRM_TIMEOUT);
    }

    @Bean
    SpawnHandler spawnHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                              ConfigDriveBuilder configDrives, CapacityReservations reservations,
                              AgentProperties properties, Clock clock, MeterRegistry meters) {
        AgentProperties.ConfigDrive drive = properties.configDrive();
        return new SpawnHandler(driver, images, store, files, configDrives,
                new ConfigDriveOptions(drive.force(), drive.availabilityZone()), reservations, properties.host(), clock,
                meters);
    }

    @Bean
    CapacityReservations capacityReservations() {
        return new CapacityReservations();
    }

    @Bean
    ConfigDriveBuilder configDriveBuilder() {
        return new ConfigDriveBuilder(new ProcessRunner(), CONFIG_DRIVE_TIMEOUT);
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
    DeleteHandler deleteHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files) {
        return new DeleteHandler(driver, store, files);
    }

    @Bean
    MigrationsInFlight migrationsInFlight() {
        return new MigrationsInFlight();
    }

    /** {@link MigrateHandler} with a driver that can migrate; otherwise {@link UnsupportedMigrateHandler} answers. */
    @Bean
    CommandHandler<Command.Migrate> migrateHandler(ComputeDriver driver, ObjectProvider<MigrationDriver> migrationDriver,
                                                   ConnectionFactory connectionFactory, InstanceStore store,
                                                   InstanceFiles files, MigrationsInFlight inFlight,
                                                   InternalSignature signature, AgentProperties properties) {
        MigrationDriver migrations = migrationDriver.getIfAvailable();
        if (migrations == null) {
            return new UnsupportedMigrateHandler();
        }
        AgentProperties.Libvirt libvirt = properties.libvirt();
        return new MigrateHandler(driver, migrations,
                new AmqpDestinationClient(connectionFactory, signature, properties.host()), store, files,
                inFlight, properties.host(), properties.stateDir(), MigrationTimeouts.DEFAULTS,
                new MigrationPolicy(libvirt.migrationBandwidth(), libvirt.migrationAutoConverge(), false));
    }

    @Bean
    IncomingMigrations incomingMigrations(ComputeDriver driver, ObjectProvider<MigrationDriver> migrationDriver,
                                          ImageCache images, InstanceStore store, InstanceRegistry registry,
                                          InstanceFiles files, ConfigDriveBuilder configDrives,
                                          MigrationsInFlight inFlight, CapacityReservations reservations,
                                          AgentProperties properties) {
        return new IncomingMigrations(driver, migrationDriver.getIfAvailable(), images, store, registry, files,
                configDrives, inFlight, reservations, properties.effectiveMigrationUri(), properties.stateDir(),
                properties.host());
    }

    @Bean
    InternalMigrationHandler migrationCheckHandler(IncomingMigrations incoming) {
        return InternalMigrationHandler.of(CommandName.MIGRATION_CHECK, incoming);
    }

    @Bean
    InternalMigrationHandler migrationPrepareHandler(IncomingMigrations incoming) {
        return InternalMigrationHandler.of(CommandName.MIGRATION_PREPARE, incoming);
    }

    @Bean
    InternalMigrationHandler migrationAdoptHandler(IncomingMigrations incoming) {
        return InternalMigrationHandler.of(CommandName.MIGRATION_ADOPT, incoming);
    }

    @Bean
    InternalMigrationHandler migrationAbortHandler(IncomingMigrations incoming) {
        return InternalMigrationHandler.of(CommandName.MIGRATION_ABORT, incoming);
    }

    @Bean
    HandlerRegistry handlerRegistry(List<CommandHandler<?>> handlers) {
        return new HandlerRegistry(handlers);
    }

    @Bean
    CommandExecutor commandExecutor(InstanceLanes lanes, HandlerRegistry handlers, FileRequestJournal journal,
                                    EventPublisher events, InstanceStore store, MeterRegistry meters) {
        return new CommandExecutor(lanes, handlers, journal, events, store, meters);
    }

    @Bean
    FailedSpawnCleanup failedSpawnCleanup(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                                          InstanceLanes lanes) {
        return new FailedSpawnCleanup(driver, store, files, lanes);
    }

    @Bean
    StartupReconciler startupReconciler(ComputeDriver driver, InstanceStore store, InstanceRegistry registry,
                                        InstanceFiles files, FailedSpawnCleanup failedSpawns, EventPublisher events) {
        return new StartupReconciler(driver, store, registry, files, failedSpawns, events);
    }

    /** After every reconnect: the clean-ups the outage cut short, then a full power-state pass (both on the lanes). */
    @Bean
    ReconnectResync reconnectResync(ComputeDriver driver, FailedSpawnCleanup failedSpawns, PowerStateSync powerSync) {
        return new ReconnectResync(driver, () -> {
            failedSpawns.resumeAll();
            powerSync.syncAll();
        });
    }

    @Bean
    PowerStateSync powerStateSync(ComputeDriver driver, InstanceLanes lanes, InstanceStore store,
                                  InstanceRegistry registry, EventPublisher events, MigrationsInFlight migrations) {
        return new PowerStateSync(driver, lanes, store, registry, events, migrations::contains);
    }

    @Bean
    Heartbeat heartbeat(HostStatusService status, EventPublisher events) {
        return new Heartbeat(status, events);
    }

    @Bean(destroyMethod = "close")
    RejectionSender rejectionSender(EventPublisher events) {
        return new RejectionSender(events);
    }

    @Bean
    CommandListener commandListener(AgentProperties properties, CommandExecutor executor, EventPublisher events,
                                    InternalSignature signature, RejectionSender rejections,
                                    MeterRegistry meters) {
        return new CommandListener(new CommandValidator(properties.host(), AgentJson.mapper()),
                new InternalCommandGate(signature, properties.host()), executor, events, rejections, meters);
    }

    @Bean
    CommandIntake commandIntake(ConnectionFactory connectionFactory, AgentProperties properties,
                                CommandListener listener, InstanceLanes lanes, StartupReconciler reconciler,
                                FileRequestJournal journal, PowerStateSync powerSync, ReconnectResync reconnectResync,
                                Heartbeat heartbeat) {
        int prefetch = Math.max(16, properties.maxConcurrentOperations() * 4);
        return new CommandIntake(connectionFactory, Topology.commandQueue(properties.host()), prefetch, listener,
                lanes, reconciler, journal, powerSync, reconnectResync, heartbeat, properties.heartbeatInterval(),
                properties.powerSyncInterval(), properties.shutdownTimeout());
    }
}
