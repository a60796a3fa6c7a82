package dev.computeagent.virt;

/** Receives lifecycle events of the agent's instances (the domains the driver manages); see {@link ComputeDriver#subscribe}. */
@FunctionalInterface
public interface LifecycleListener {
    void onEvent(LifecycleEvent event);
}
