package dev.computeagent.agent.execution;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's periodic and background work: daemon schedulers whose tasks keep running after a failure. */
public final class BackgroundTasks {

    private static final Logger log = LoggerFactory.getLogger(BackgroundTasks.class);

    private BackgroundTasks() {
    }

    /** A single-thread scheduler on a daemon thread named {@code name}. */
    public static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A scheduled executor silently cancels a task's schedule once it throws: anything thrown is
     * logged and swallowed here so the next period still runs.
     */
    public static Runnable neverDying(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                log.error("{} failed; it runs again next period", what, t);
            }
        };
    }
}
