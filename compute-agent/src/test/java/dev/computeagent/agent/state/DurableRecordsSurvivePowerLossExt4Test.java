package dev.computeagent.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.journal.CompletedRequest;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.testing.Ext4PowerLoss;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.image.inspect.FormatInspector;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent writes survives a power cut whole, on a real ext4 that loses power
 * ({@link Ext4PowerLoss}: the file system stops at once, unsynced data and metadata are lost): the spawn
 * marker, the request journal (first written and updated), a cached base with its record and the
 * instance's overlay on it, a config drive, each once its write returned; and a record replaced in a
 * loop by another process is, after the cut at any moment and a {@code kill -9} of the writer, the last
 * one acknowledged or the one in flight, whole, never torn and never older.
 */
class DurableRecordsSurvivePowerLossExt4Test {

    @TempDir
    Path outside;
    private Ext4PowerLoss fs;

    @BeforeEach
    void mount() {
        fs = Ext4PowerLoss.mount();
    }

    @AfterEach
    void unmount() {
        fs.close();
    }

    private static EventMessage event(String name) {
        return new EventMessage(1, name, "node-7", Instant.parse("2026-11-22T10:00:01.234Z"), "req-1",
                "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", Map.of("state", "ACTIVE"), null);
    }

    @Test
    void everyRecordWrittenBeforeAPowerCutIsThereWholeAfterIt() throws Exception {
        Prerequisites.requireQemuImg();
        Prerequisites.require("genisoimage", Prerequisites.commandSucceeds("genisoimage", "--version"),
                "apt-get install genisoimage");
        Path stateDir = fs.root().resolve("state");
        InstanceFiles files = new InstanceFiles(stateDir, "test-host");
        UUID uuid = UUID.randomUUID();

        files.create(uuid);
        files.markSpawnComplete(uuid);
        fs.powerLoss();
        assertThat(files.spawnComplete(uuid)).as("spawn marker").isTrue();

        Path journalDir = stateDir.resolve("journal");
        new FileRequestJournal(journalDir, AgentJson.mapper(), Clock.systemUTC()).record("req-1",
                CompletedRequest.unannounced(event("instance.spawn.end")));
        fs.powerLoss();
        FileRequestJournal journal = new FileRequestJournal(journalDir, AgentJson.mapper(), Clock.systemUTC());
        assertThat(journal.find("req-1")).as("journal record").contains(CompletedRequest.unannounced(
                event("instance.spawn.end")));
        journal.record("req-1", CompletedRequest.unannounced(event("instance.spawn.end")).with(true, true));
        fs.powerLoss();
        assertThat(new FileRequestJournal(journalDir, AgentJson.mapper(), Clock.systemUTC()).find("req-1"))
                .as("journal record updated").contains(new CompletedRequest(event("instance.spawn.end"), true, true));

        Path image = TinyGuestImage.write(outside.resolve("tiny"));
        ImageCacheSettings settings = ImageCacheSettings.defaults(stateDir, outside.toUri());
        try (ImageCache cache = ImageCaches.open(settings)) {
            cache.createOverlay("tiny", files.disk(uuid), 0);
        }
        fs.powerLoss();
        try (ImageCache cache = ImageCaches.open(settings)) {
            CachedImage base = cache.list().stream().filter(i -> i.imageId().equals("tiny")).findFirst()
                    .orElseThrow(() -> new AssertionError("the cached base or its record was lost"));
            assertThat(Files.readAllBytes(base.path())).as("base").isEqualTo(Files.readAllBytes(image));
            assertThat(new FormatInspector().qcow2BackingFile(files.disk(uuid))).as("overlay")
                    .hasValueSatisfying(b -> assertThat(files.dir(uuid).resolve(b).normalize())
                            .isEqualTo(base.path()));
        }

        new ConfigDriveBuilder(new ProcessRunner(), Duration.ofSeconds(30)).build(files.configDrive(uuid),
                new ConfigDriveContent(uuid, "vm", Map.of("k", "v"), Optional.of("#cloud-config".getBytes()),
                        Map.of(), List.of(), "nova"));
        fs.powerLoss();
        assertThat(files.configDrive(uuid)).as("config drive").exists();
        assertThat(ConfigDriveBuilder.isIso9660(Files.readAllBytes(files.configDrive(uuid)))).isTrue();
    }

    @Test
    void aRecordReplacedInALoopIsTheLastAcknowledgedOrTheNextWholeAfterAPowerCutAtAnyMoment() throws Exception {
        Path record = Files.createDirectories(fs.root().resolve("loop")).resolve("record");
        for (int round = 0; round < 5; round++) {
            Process writer = startWriter(record);
            AtomicLong acknowledged = new AtomicLong();
            Thread reader = readAcknowledgements(writer, acknowledged);
            long cutAfter = ThreadLocalRandom.current().nextLong(5, 60);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (!writer.isAlive()) {
                    throw new IllegalStateException("the writer died: exit " + writer.exitValue());
                }
                return acknowledged.get() >= cutAfter;
            });

            fs.cut();
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            fs.reboot();

            long last = acknowledged.get();
            Optional<Long> found = AtomicWriteLoopMain.parse(Files.readAllBytes(record));
            assertThat(found).as("round %d: a whole record (last acknowledged %d)", round, last).isPresent();
            assertThat(found.get()).as("round %d: never older than acknowledged", round).isBetween(last, last + 1);
        }
    }

    private static Process startWriter(Path record) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-Xmx64m", "-cp", classpath, AtomicWriteLoopMain.class.getName(),
                record.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static Thread readAcknowledgements(Process writer, AtomicLong acknowledged) {
        Thread t = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    acknowledged.set(Long.parseLong(line.trim()));
                }
            } catch (Exception ignored) {
                // the writer was killed mid-line
            }
        }, "writer-acknowledgements");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
