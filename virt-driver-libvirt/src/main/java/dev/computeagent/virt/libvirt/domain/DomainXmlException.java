package dev.computeagent.virt.libvirt.domain;

/**
 * Domain XML that cannot be parsed into the model (malformed, or a value the model cannot hold),
 * or a model that cannot be rendered (text XML 1.0 cannot carry).
 */
public class DomainXmlException extends RuntimeException {

    public DomainXmlException(String message) {
        super(message);
    }

    public DomainXmlException(String message, Throwable cause) {
        super(message, cause);
    }
}
