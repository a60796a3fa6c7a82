package dev.computeagent.virt;

/** A registration that ends when closed. Closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
