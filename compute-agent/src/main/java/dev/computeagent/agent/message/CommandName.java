package dev.computeagent.agent.message;

import java.util.Arrays;
import java.util.Optional;

/**
 * The commands of the AsyncAPI contract, each with the record type of its arguments, plus the internal
 * {@code migration.*} ones agents send each other.
 */
public enum CommandName {
    SPAWN("spawn", SpawnArgs.class),
    START("start", NoArgs.class),
    STOP("stop", StopArgs.class),
    REBOOT("reboot", RebootArgs.class),
    DELETE("delete", NoArgs.class),
    MIGRATE("migrate", MigrateArgs.class),
    MIGRATION_CHECK("migration.check", MigrationCheckArgs.class),
    MIGRATION_PREPARE("migration.prepare", MigrationPrepareArgs.class),
    MIGRATION_ADOPT("migration.adopt", MigrationAdoptArgs.class),
    MIGRATION_ABORT("migration.abort", MigrationAbortArgs.class),
    SET_SECURITY_GROUPS("set_security_groups", SetSecurityGroupsArgs.class);

    private final String wireName;
    private final Class<? extends CommandArgs> argsType;

    CommandName(String wireName, Class<? extends CommandArgs> argsType) {
        this.wireName = wireName;
        this.argsType = argsType;
    }

    public String wireName() {
        return wireName;
    }

    /** The record type of this command's arguments. */
    public Class<? extends CommandArgs> argsType() {
        return argsType;
    }

    /** Whether this command is internal (agent to agent), never sent by a controller. */
    public boolean internal() {
        return InternalArgs.class.isAssignableFrom(argsType);
    }

    public static Optional<CommandName> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }
}
