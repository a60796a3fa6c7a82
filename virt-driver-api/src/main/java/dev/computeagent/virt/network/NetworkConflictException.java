package dev.computeagent.virt.network;

import dev.computeagent.virt.DriverException;

/** A network of the name exists that the driver did not create: it is never changed or removed. */
public class NetworkConflictException extends DriverException {

    public NetworkConflictException(String message) {
        super(message, null);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
