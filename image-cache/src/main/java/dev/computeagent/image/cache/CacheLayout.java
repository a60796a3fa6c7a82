package dev.computeagent.image.cache;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names under the state directory (docs/architecture.md, "Where state lives"): {@code _base/<name>} is a cached base,
 * {@code _base/<name>.json} its record, {@code _base/<name>.lock} its lock file (present while the
 * image is cached or being worked on), {@code _base/<name>*.part} work in progress; instance overlays
 * are {@code instances/<uuid>/disk}.
 */
public final class CacheLayout {

    private static final Pattern BASE_NAME = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern WORK_FILE = Pattern.compile(
            "([0-9a-f]{64})\\.(download\\.part|raw\\.part|json\\.part|json\\.\\d+-\\d+\\.part|json)");
    private static final Pattern LOCK_FILE = Pattern.compile("([0-9a-f]{64})\\.lock");

    private final Path stateDir;
    private final Path baseDir;

    public CacheLayout(Path stateDir) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.baseDir = this.stateDir.resolve("_base");
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path baseDir() {
        return baseDir;
    }

    public Path instancesDir() {
        return stateDir.resolve("instances");
    }

    public Path base(String name) {
        return baseDir.resolve(name);
    }

    public Path record(String name) {
        return baseDir.resolve(name + ".json");
    }

    public Path lock(String name) {
        return baseDir.resolve(name + ".lock");
    }

    /** The download in progress. */
    public Path downloadPart(String name) {
        return baseDir.resolve(name + ".download.part");
    }

    /** The conversion output in progress. */
    public Path convertPart(String name) {
        return baseDir.resolve(name + ".raw.part");
    }

    /** The base name a part file or record in {@code _base} belongs to; empty for other files. */
    public static Optional<String> ownerOf(String fileName) {
        Matcher m = WORK_FILE.matcher(fileName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The base name whose lock file {@code fileName} is; empty for other files. */
    public static Optional<String> lockOwnerOf(String fileName) {
        Matcher m = LOCK_FILE.matcher(fileName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether a file name in {@code _base} is a cached base (not a record, lock or part). */
    public static boolean isBaseName(String fileName) {
        return BASE_NAME.matcher(fileName).matches();
    }
}
