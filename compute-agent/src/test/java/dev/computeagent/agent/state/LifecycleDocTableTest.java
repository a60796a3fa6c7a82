package dev.computeagent.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.ProjectFiles;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/lifecycle.md shows the state machine's table as the code has it, row for row. */
class LifecycleDocTableTest {

    private static final String BEGIN = "<!-- state-table:begin";
    private static final String END = "<!-- state-table:end -->";

    @Test
    void theDocumentedTableIsTheCodesTable() throws IOException {
        String doc = Files.readString(ProjectFiles.repositoryRoot().resolve("docs/lifecycle.md"));
        int begin = doc.indexOf('\n', doc.indexOf(BEGIN)) + 1;
        int end = doc.indexOf(END);
        assertThat(doc.indexOf(BEGIN)).as("docs/lifecycle.md has the table's markers").isNotNegative();
        assertThat(doc.substring(begin, end))
                .as("docs/lifecycle.md's table; paste this between its markers:%n%s", table())
                .isEqualTo(table());
    }

    /** The table as markdown: a row per controller command, a column per state an instance can be in. */
    static String table() {
        List<InstanceState> states = Arrays.stream(InstanceState.values())
                .filter(s -> s != InstanceState.DELETED).toList();
        StringBuilder md = new StringBuilder("| command | ")
                .append(states.stream().map(Enum::name).collect(Collectors.joining(" | "))).append(" |\n|---|")
                .append("---|".repeat(states.size())).append('\n');
        for (CommandName command : CommandName.values()) {
            if (command.internal()) {
                continue;
            }
            md.append("| `").append(command.wireName()).append("` | ")
                    .append(states.stream().map(s -> InstanceStateMachine.allows(command, s) ? "✓" : "—")
                            .collect(Collectors.joining(" | ")))
                    .append(" |\n");
        }
        return md.toString();
    }
}
