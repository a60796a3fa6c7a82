package dev.computeagent.agent.journal;

import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link RequestJournal} of one small JSON file per request under {@code <state-dir>/journal/},
 * written with {@link AtomicFiles} (temporary file, fsync, rename, fsync of the directory), so after a
 * crash a record is either complete (old or new) or absent. Records older than the retention are
 * pruned at start-up ({@link #prune}). Records of earlier versions (the bare final event) are read as
 * not yet published.
 */
public final class FileRequestJournal implements RequestJournal {

    private static final Logger log = LoggerFactory.getLogger(FileRequestJournal.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final String PREFIX = "r-";
    private static final String SUFFIX = ".json";
    private static final String ENTRY_FIELD = "final_event";

    private final Path dir;
    private final JsonMapper mapper;
    private final Clock clock;

    public FileRequestJournal(Path dir, JsonMapper mapper, Clock clock) {
        this.dir = dir;
        this.mapper = mapper;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal directory " + dir, e);
        }
    }

    @Override
    public Optional<CompletedRequest> find(String requestId) {
        Path file = fileOf(requestId);
        try {
            JsonNode root = mapper.readTree(Files.readAllBytes(file));
            if (root.has(ENTRY_FIELD)) {
                return Optional.of(mapper.treeToValue(root, CompletedRequest.class));
            }
            return Optional.of(CompletedRequest.unannounced(mapper.treeToValue(root, EventMessage.class)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new JournalException("cannot read journal record " + file, e);
        } catch (JacksonException e) {
            // a torn record cannot exist (atomic write); a corrupt one is treated as absent and logged
            log.error("journal record {} is corrupt; treating request {} as not completed", file, requestId, e);
            return Optional.empty();
        }
    }

    @Override
    public void record(String requestId, CompletedRequest completed) {
        Path file = fileOf(requestId);
        try {
            AtomicFiles.write(file, mapper.writeValueAsBytes(completed));
        } catch (IOException | JacksonException e) {
            throw new JournalException("cannot record request " + requestId, e);
        }
    }

    /** Removes records older than {@code retention} and leftover temporary files. Returns how many went. */
    public int prune(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                // a crash can leave a write's temporary file (".tmp-" from earlier versions)
                boolean temp = AtomicFiles.isTemporary(name) || name.startsWith(".tmp-");
                if (temp || Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        } catch (IOException e) {
            log.warn("journal pruning in {} failed", dir, e);
        }
        return removed;
    }

    private Path fileOf(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("invalid request id");
        }
        // the prefix keeps ids such as "." or ".." from naming a directory
        return dir.resolve(PREFIX + requestId + SUFFIX);
    }
}
