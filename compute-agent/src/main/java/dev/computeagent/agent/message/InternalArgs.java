package dev.computeagent.agent.message;

/**
 * The arguments of an internal {@code migration.*} command, typed: what one agent sends another
 * (AsyncAPI {@code Migration*Args}). Validated at the edge like a public command's arguments; the
 * destination trusts nothing in them that it can decide itself (paths, devices).
 */
public sealed interface InternalArgs extends CommandArgs
        permits MigrationCheckArgs, MigrationPrepareArgs, MigrationAdoptArgs, MigrationAbortArgs,
        MigrationResizeEndArgs {

    /** The sending (source) agent's {@code agent.host}; must be the authenticated sender. */
    String sourceHost();
}
