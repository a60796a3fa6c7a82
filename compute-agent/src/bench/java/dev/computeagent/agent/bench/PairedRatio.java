package dev.computeagent.agent.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Interleaved pairs (the agent's time, the anchor's time) and the ratio of their means with a 95 % bootstrap
 * interval over the pairs. A single run's ratio of medians moves by several per cent when the anchor's own time
 * is spread wide (the tiny guest's {@code virDomainCreate} under TCG: 350–600 ms in one run); the interval says how
 * precisely the run can tell the agent's share at all.
 */
final class PairedRatio {

    private static final int RESAMPLES = 10_000;
    private final List<double[]> pairs = new ArrayList<>();

    void add(long agentNanos, long anchorNanos) {
        pairs.add(new double[] {agentNanos / 1e6, anchorNanos / 1e6});
    }

    double ratioOfMeans() {
        return ratioOfMeans(pairs);
    }

    /** The 2.5th and 97.5th percentiles of the ratio of means over pairs resampled with replacement (fixed seed). */
    double[] interval() {
        SplittableRandom random = new SplittableRandom(42);
        double[] ratios = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            List<double[]> sample = new ArrayList<>(pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                sample.add(pairs.get(random.nextInt(pairs.size())));
            }
            ratios[r] = ratioOfMeans(sample);
        }
        Arrays.sort(ratios);
        return new double[] {ratios[(int) (RESAMPLES * 0.025)], ratios[(int) (RESAMPLES * 0.975) - 1]};
    }

    private static double ratioOfMeans(List<double[]> sample) {
        double agent = 0;
        double anchor = 0;
        for (double[] pair : sample) {
            agent += pair[0];
            anchor += pair[1];
        }
        return agent / anchor;
    }

    @Override
    public String toString() {
        if (pairs.isEmpty()) {
            return "no pairs";
        }
        double[] interval = interval();
        return String.format(Locale.ROOT, "ratio of means %.3f (95%% bootstrap interval %.3f-%.3f, %d pairs)",
                ratioOfMeans(), interval[0], interval[1], pairs.size());
    }
}
