package dev.computeagent.image.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One contender of {@code GarbageCollectionQemuImgTest}'s lock stress, run in a child JVM (or in the
 * test's own): two threads, each {@link #INCREMENTS} / 2 times: lock the image, read-increment-write a
 * counter file, remove the lock file, let go. Arguments: state dir, counter file.
 */
public final class LockStressMain {

    static final int INCREMENTS = 400;
    private static final String IMAGE = ImageIds.cacheName("contended");

    private LockStressMain() {
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args[0]), Path.of(args[1]));
    }

    static Process start(Path stateDir, Path counter) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", classpath, LockStressMain.class.getName(), stateDir.toString(),
                counter.toString()).redirectErrorStream(true).start();
    }

    static void run(Path stateDir, Path counter) throws Exception {
        ImageLocks locks = new ImageLocks(new CacheLayout(stateDir));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < INCREMENTS / 2; i++) {
                        try (ImageLocks.Handle held = locks.lock(IMAGE)) {
                            int value = Integer.parseInt(Files.readString(counter).trim());
                            Thread.onSpinWait();
                            Files.writeString(counter, Integer.toString(value + 1));
                            held.removeFile();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
