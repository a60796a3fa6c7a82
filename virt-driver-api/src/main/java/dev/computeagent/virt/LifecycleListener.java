package dev.computeagent.virt;

/** Receives lifecycle events of owned instances; see {@link ComputeDriver#subscribe}. */
@FunctionalInterface
public interface LifecycleListener {
    void onEvent(LifecycleEvent event);
}
