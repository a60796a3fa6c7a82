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
    MIGRATION_RESIZE_CONFIRM("migration.resize_confirm", MigrationResizeEndArgs.class),
    MIGRATION_RESIZE_REVERT("migration.resize_revert", MigrationResizeEndArgs.class),
    PAUSE("pause", NoArgs.class),
    UNPAUSE("unpause", NoArgs.class),
    SUSPEND("suspend", NoArgs.class),
    RESUME("resume", NoArgs.class),
    MIGRATE_ABORT("migrate_abort", NoArgs.class),
    RESIZE("resize", ResizeArgs.class),
    CONFIRM_RESIZE("confirm_resize", NoArgs.class),
    REVERT_RESIZE("revert_resize", NoArgs.class),
    RESCUE("rescue", RescueArgs.class),
    UNRESCUE("unrescue", NoArgs.class),
    SNAPSHOT("snapshot", SnapshotArgs.class),
    ATTACH_VOLUME("attach_volume", AttachVolumeArgs.class),
    DETACH_VOLUME("detach_volume", DetachVolumeArgs.class),
    ATTACH_INTERFACE("attach_interface", AttachInterfaceArgs.class),
    DETACH_INTERFACE("detach_interface", DetachInterfaceArgs.class),
    SET_SECURITY_GROUPS("set_security_groups", SetSecurityGroupsArgs.class),
    REBUILD("rebuild", RebuildArgs.class);

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

    /**
     * Whether this command acts on an instance while another command of it runs (cancelling the
     * migration that occupies the instance), so it runs beside the instance's commands, not behind them.
     */
    public boolean control() {
        return this == MIGRATE_ABORT;
    }

    public static Optional<CommandName> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }
}
