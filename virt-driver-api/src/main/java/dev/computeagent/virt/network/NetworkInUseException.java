package dev.computeagent.virt.network;

import dev.computeagent.virt.DriverException;
import java.util.List;
import java.util.UUID;

/** A network cannot be removed: instances still have NICs on it. Retriable once they are gone. */
public class NetworkInUseException extends DriverException {

    private final List<UUID> instances;

    public NetworkInUseException(String network, List<UUID> instances) {
        super("network " + network + " is used by " + instances.size() + " instance(s): " + instances, null);
        this.instances = List.copyOf(instances);
    }

    public List<UUID> instances() {
        return instances;
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
