package dev.computeagent.agent.message;

import java.util.Arrays;
import java.util.Optional;

/** The commands of DESIGN.md §3, plus the internal {@code migration.*} ones agents send each other. */
public enum CommandName {
    SPAWN("spawn"),
    START("start"),
    STOP("stop"),
    REBOOT("reboot"),
    DELETE("delete"),
    MIGRATE("migrate"),
    MIGRATION_CHECK("migration.check"),
    MIGRATION_PREPARE("migration.prepare"),
    MIGRATION_ADOPT("migration.adopt"),
    MIGRATION_ABORT("migration.abort");

    private final String wireName;

    CommandName(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether this command is internal (agent to agent), never sent by a controller. */
    public boolean internal() {
        return wireName.startsWith("migration.");
    }

    public static Optional<CommandName> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }
}
