package dev.computeagent.agent.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths of the repository's deployment files, found from the module directory Maven runs the
 * tests in. Fails when the layout is not the expected one (a test would otherwise check nothing).
 */
public final class ProjectFiles {

    private ProjectFiles() {
    }

    /** The {@code compute-agent} module directory. */
    public static Path moduleDir() {
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("pom.xml")) || !Files.isDirectory(dir.resolve("src/main/java"))) {
            throw new IllegalStateException("not the compute-agent module directory: " + dir);
        }
        return dir;
    }

    /** The repository root: the reactor pom, the Dockerfile and the Helm chart. */
    public static Path repositoryRoot() {
        Path root = moduleDir().getParent();
        if (root == null || !Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("no reactor pom above " + moduleDir());
        }
        return root;
    }

    static Path dockerfile() {
        return existing(repositoryRoot().resolve("Dockerfile"));
    }

    static Path helmChart() {
        return existing(repositoryRoot().resolve("helm/compute-agent"));
    }

    /** A file under {@code src/test/resources/deploy}. */
    static Path testResource(String name) {
        return existing(moduleDir().resolve("src/test/resources/deploy").resolve(name));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existing(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException("missing: " + path);
        }
        return path;
    }
}
