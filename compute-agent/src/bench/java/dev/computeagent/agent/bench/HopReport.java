package dev.computeagent.agent.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The summary of a run: per path wall / job / downtime, the agent/virsh ratios and the agent's phases. */
final class HopReport {

    /** The rounds a run's agents take to warm up (class loading, the interpreter), left out of the warm figure. */
    private static final int WARM_UP_ROUNDS = 5;

    private final List<Hop> hops;

    HopReport(List<Hop> hops) {
        this.hops = List.copyOf(hops);
    }

    void print(PrintStream out) {
        out.println("| path | hops | median wall | min / max wall | median job | median downtime | max downtime |");
        out.println("|---|---|---|---|---|---|---|");
        for (String path : List.of("agent", "virsh")) {
            Stats wall = stats(path, Hop::wallNanos);
            Stats job = stats(path, h -> h.job().jobMs() * 1_000_000);
            Stats down = stats(path, h -> h.job().downtimeMs() * 1_000_000);
            out.printf(Locale.ROOT, "| %s | %d | %.0f ms | %.0f / %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n", path,
                    wall.count(), wall.median(), wall.min(), wall.max(), job.median(), down.median(), down.max());
        }
        double ratio = stats("agent", Hop::wallNanos).median() / stats("virsh", Hop::wallNanos).median();
        out.printf(Locale.ROOT, "agent/virsh wall: ratio of medians %.2f, median of same-round same-direction pairs "
                + "%.2f (target <= 1.2)%n", ratio, pairedRatio());
        out.printf(Locale.ROOT, "downtime: agent median %.0f ms max %.0f ms; virsh median %.0f ms max %.0f ms "
                + "(target <= 50 ms)%n", stats("agent", h -> h.job().downtimeMs() * 1_000_000).median(),
                stats("agent", h -> h.job().downtimeMs() * 1_000_000).max(),
                stats("virsh", h -> h.job().downtimeMs() * 1_000_000).median(),
                stats("virsh", h -> h.job().downtimeMs() * 1_000_000).max());
        out.println("agent phases (arrival of the step events here; median / max ms):");
        for (String phase : MigrationSteps.phaseNames()) {
            Stats s = new Stats();
            hops.stream().filter(h -> h.phases().containsKey(phase))
                    .forEach(h -> s.addNanos((long) (h.phases().get(phase) * 1e6)));
            if (s.count() == 0) {
                continue; // a step this run's code does not take (the check within the prepare)
            }
            out.printf(Locale.ROOT, "  %-10s %7.1f / %7.1f  (%d hops)%n", phase, s.median(), s.max(), s.count());
        }
        Stats driver = stats("agent", h -> h.agentMs() * 1_000_000);
        out.printf(Locale.ROOT, "  source agent's own \"moved ... in N ms\" (driver migrateLive): median %.0f ms%n",
                driver.median());
        // the figure: what the agent adds around the hypervisor's own migration, hop by hop
        Stats share = new Stats();
        hops.stream().filter(h -> h.path().equals("agent") && h.agentMs() >= 0)
                .forEach(h -> share.addNanos(h.wallNanos() - h.agentMs() * 1_000_000));
        out.printf(Locale.ROOT, "  agent - driver (wall minus the driver's migrateLive, per hop): median %.1f ms, "
                + "min %.1f, max %.1f (target <= 50 ms)%n", share.median(), share.min(), share.max());
        // what a long-running agent pays: the agents start with the run, and their first hops load classes and run
        // interpreted (shown beside the figure above, which counts every hop)
        Stats warm = new Stats();
        hops.stream().filter(h -> h.path().equals("agent") && h.agentMs() >= 0 && h.round() >= WARM_UP_ROUNDS)
                .forEach(h -> warm.addNanos(h.wallNanos() - h.agentMs() * 1_000_000));
        if (warm.count() > 0) {
            out.printf(Locale.ROOT, "  the same from round %d on (the agents warmed up): median %.1f ms over %d hops, "
                    + "min %.1f, max %.1f%n", WARM_UP_ROUNDS, warm.median(), warm.count(), warm.min(), warm.max());
        }
    }

    /** Median over rounds and directions of agent wall / virsh wall of the same round and direction. */
    private double pairedRatio() {
        // Stats reports nanos / 1e6: ratios go in scaled by 1e6
        Stats ratios = new Stats();
        for (Hop agent : hops) {
            if (!agent.path().equals("agent")) {
                continue;
            }
            hops.stream().filter(v -> v.path().equals("virsh") && v.round() == agent.round()
                    && v.direction().equals(agent.direction())).findFirst()
                    .ifPresent(v -> ratios.addNanos((long) (1e6 * agent.wallNanos() / v.wallNanos())));
        }
        return ratios.median();
    }

    private Stats stats(String path, ToLongFunction<Hop> nanos) {
        Stats s = new Stats();
        hops.stream().filter(h -> h.path().equals(path)).forEach(h -> s.addNanos(nanos.applyAsLong(h)));
        return s;
    }

    static String phasesLine(Map<String, Double> phases) {
        StringBuilder b = new StringBuilder();
        phases.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.0f", k, v)));
        return b.toString().trim();
    }
}
