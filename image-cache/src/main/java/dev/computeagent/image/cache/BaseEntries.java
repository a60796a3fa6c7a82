package dev.computeagent.image.cache;

import dev.computeagent.hostio.AtomicFiles;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageStorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes the committed bases in {@code _base}: a base counts only when both the file and its
 * record exist. {@code last_used} is the base file's modification time, touched on every use.
 */
final class BaseEntries {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final CacheLayout layout;

    BaseEntries(CacheLayout layout) {
        this.layout = layout;
    }

    Optional<CachedImage> read(String name) {
        Path base = layout.base(name);
        Path record = layout.record(name);
        try {
            BaseRecord r = MAPPER.readValue(Files.readAllBytes(record), BaseRecord.class);
            return Optional.of(new CachedImage(r.imageId(), base, r.format(), r.virtualSize(), Files.size(base),
                    Files.getLastModifiedTime(base).toInstant(), false, r.propertiesOrNone()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | JacksonException e) {
            // an unreadable record makes the base unusable; the next fetch replaces both
            return Optional.empty();
        }
    }

    /** Every committed base, in no particular order. */
    List<CachedImage> all() {
        List<CachedImage> result = new ArrayList<>();
        if (!Files.isDirectory(layout.baseDir())) {
            return result;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(layout.baseDir())) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (CacheLayout.isBaseName(name)) {
                    read(name).ifPresent(result::add);
                }
            }
        } catch (IOException e) {
            throw new ImageStorageException("cannot list " + layout.baseDir() + ": " + e.getMessage(), e);
        }
        return result;
    }

    /** Writes the record of a base about to be committed, atomically and durably. */
    void writeRecord(String name, BaseRecord record) throws IOException {
        AtomicFiles.write(layout.record(name), MAPPER.writeValueAsBytes(record));
    }

    void touch(Path base) {
        try {
            Files.setLastModifiedTime(base, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // last_used is advisory (GC order); failing to update it must not fail the caller
        }
    }

    /** Removes a base and its record (base first: a record without base is not an entry). */
    long delete(String name) throws IOException {
        Path base = layout.base(name);
        long bytes = Files.exists(base) ? Files.size(base) : 0;
        Files.deleteIfExists(base);
        Files.deleteIfExists(layout.record(name));
        return bytes;
    }
}
