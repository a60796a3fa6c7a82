package dev.computeagent.agent.status;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whether the agent's broker connection is up, as last reported by Spring AMQP's connection
 * factory. Reading it never touches the network, so status and heartbeat never block on a dead
 * broker. Before the first connection attempt it reports "down".
 */
@Component
public class BrokerConnectivity implements ConnectionListener {

    private final AtomicBoolean connected = new AtomicBoolean();

    public BrokerConnectivity(ObjectProvider<ConnectionFactory> connectionFactories) {
        // Registered once per factory; the publisher factory (if any) gets it via its parent.
        connectionFactories.orderedStream().forEach(factory -> factory.addConnectionListener(this));
    }

    /** Whether the last connection event was a successful (re)connect. Never blocks. */
    public boolean isConnected() {
        return connected.get();
    }

    @Override
    public void onCreate(@Nullable Connection connection) {
        connected.set(connection == null || connection.isOpen());
    }

    @Override
    public void onClose(@Nullable Connection connection) {
        connected.set(false);
    }

    @Override
    public void onShutDown(com.rabbitmq.client.@Nullable ShutdownSignalException signal) {
        connected.set(false);
    }

    @Override
    public void onFailed(Exception exception) {
        connected.set(false);
    }
}
