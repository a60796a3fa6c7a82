package dev.computeagent.agent.config;

import dev.computeagent.agent.amqp.AmqpDestinationClient;
import dev.computeagent.agent.amqp.CommandListener;
import dev.computeagent.agent.amqp.EventPublisher;
import dev.computeagent.agent.amqp.RejectionSender;
import dev.computeagent.agent.amqp.Topology;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.execution.CommandExecutor;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.heartbeat.Heartbeat;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.migration.DestinationClient;
import dev.computeagent.agent.power.PowerStateSync;
import dev.computeagent.agent.power.ReconnectResync;
import dev.computeagent.agent.recovery.StartupReconciler;
import dev.computeagent.agent.runcycle.RunCycle;
import dev.computeagent.agent.security.InternalCommandGate;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The broker side: topology, publisher confirms, the event publisher (the {@code EventSink} everyone
 * publishes through), the agent-to-agent keys and signature, the command listener with its validator and
 * gate, the client a source uses to talk to a destination, and the run cycle that starts and stops it all.
 */
@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MessagingConfiguration.class);

    /** How long a publish may wait for the broker's confirm. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(15);

    /**
     * At-least-once needs publisher confirms whatever {@code spring.rabbitmq.*} says; the connection
     * is named after the host so operators (and tests) can tell agents apart in the broker.
     */
    @Bean
    static BeanPostProcessor agentConnectionFactorySettings(ObjectProvider<AgentProperties> properties) {
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
    EventPublisher eventPublisher(ConnectionFactory connectionFactory, AgentProperties properties, Clock clock) {
        // a template of its own: the application's RabbitTemplate may be configured for other uses
        return new EventPublisher(new RabbitTemplate(connectionFactory), properties.host(), clock, CONFIRM_TIMEOUT);
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

    @Bean(destroyMethod = "close")
    DestinationClient destinationClient(ConnectionFactory connectionFactory, InternalSignature signature,
                                        AgentProperties properties) {
        return new AmqpDestinationClient(connectionFactory, signature, properties.host());
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
    RunCycle runCycle(ConnectionFactory connectionFactory, AgentProperties properties, CommandListener listener,
                      InstanceLanes lanes, StartupReconciler reconciler, FileRequestJournal journal,
                      PowerStateSync powerSync, ReconnectResync reconnectResync, Heartbeat heartbeat) {
        int prefetch = Math.max(16, properties.maxConcurrentOperations() * 4);
        return new RunCycle(connectionFactory, Topology.commandQueue(properties.host()), prefetch, listener,
                lanes, reconciler, journal, powerSync, reconnectResync, heartbeat, properties.heartbeatInterval(),
                properties.powerSyncInterval(), properties.shutdownTimeout());
    }
}
