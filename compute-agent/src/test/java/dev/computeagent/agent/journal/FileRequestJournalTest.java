package dev.computeagent.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRequestJournalTest {

    @TempDir
    Path dir;

    private CompletedRequest completed(String requestId) {
        return CompletedRequest.unannounced(event(requestId));
    }

    private EventMessage event(String requestId) {
        return new EventMessage(1, "instance.spawn.error", "h", Instant.parse("2026-11-22T10:00:01.234Z"), requestId,
                "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", Map.of("state", "ERROR", "power_state", "NOSTATE"),
                new ErrorBody(ErrorCode.IMAGE_UNSAFE, "backing file", false));
    }

    @Test
    void aRecordedOutcomeIsFoundByANewJournalOnTheSameDirectory() {
        new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC()).record("req-1",
                completed("req-1").with(true, false));
        FileRequestJournal reopened = new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC());
        assertThat(reopened.find("req-1")).contains(new CompletedRequest(event("req-1"), true, false));
        assertThat(reopened.find("req-2")).isEmpty();
    }

    @Test
    void whatTheBrokerConfirmedIsUpdatedInPlace() {
        FileRequestJournal journal = new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC());
        journal.record("req-3", completed("req-3"));
        assertThat(journal.find("req-3")).contains(new CompletedRequest(event("req-3"), false, false));
        journal.record("req-3", completed("req-3").with(true, true));
        assertThat(journal.find("req-3")).contains(new CompletedRequest(event("req-3"), true, true));
        assertThat(dir.toFile().list()).containsExactly("r-req-3.json");
    }

    @Test
    void aRecordOfAnEarlierVersionIsTheBareFinalEventNotYetPublished() throws Exception {
        FileRequestJournal journal = new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC());
        Files.write(dir.resolve("r-old-1.json"), AgentJson.mapper().writeValueAsBytes(event("old-1")));
        assertThat(journal.find("old-1")).contains(CompletedRequest.unannounced(event("old-1")));
    }

    @Test
    void requestIdsLikeDotDotStayInsideTheJournal() {
        FileRequestJournal journal = new FileRequestJournal(dir.resolve("journal"), AgentJson.mapper(),
                Clock.systemUTC());
        journal.record("..", completed(".."));
        journal.record(".", completed("."));
        assertThat(journal.find("..")).contains(completed(".."));
        assertThat(dir.resolve("journal").resolve("r-...json")).exists();
        assertThatThrownBy(() -> journal.find("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorruptRecordCountsAsNotCompleted() throws Exception {
        FileRequestJournal journal = new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC());
        Files.writeString(dir.resolve("r-req-9.json"), "{torn");
        assertThat(journal.find("req-9")).isEmpty();
    }

    @Test
    void pruneRemovesOldRecordsAndTemporaryFilesOnly() throws Exception {
        FileRequestJournal journal = new FileRequestJournal(dir, AgentJson.mapper(), Clock.systemUTC());
        journal.record("old", completed("old"));
        journal.record("new", completed("new"));
        Files.setLastModifiedTime(dir.resolve("r-old.json"), FileTime.from(Instant.now().minus(Duration.ofDays(8))));
        Files.writeString(dir.resolve(".tmp-r-x.json-1"), "partial");
        Files.writeString(dir.resolve("r-y.json.4242-9.part"), "{\"final_ev");
        assertThat(journal.prune(Duration.ofDays(7))).isEqualTo(3);
        assertThat(journal.find("old")).isEmpty();
        assertThat(journal.find("new")).isPresent();
    }
}
