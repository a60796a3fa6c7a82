package dev.computeagent.agent.provision;

import java.util.function.Supplier;

/** Times the named steps of building an instance (a spawn reports them as {@code agent.spawn.phase}). */
@FunctionalInterface
public interface Phases {

    /** Steps not timed. */
    Phases UNTIMED = new Phases() {
        @Override
        public <T> T time(String phase, Supplier<T> work) {
            return work.get();
        }
    };

    <T> T time(String phase, Supplier<T> work);

    /** {@link #time} of work without a result. */
    default void run(String phase, Runnable work) {
        time(phase, () -> {
            work.run();
            return null;
        });
    }
}
