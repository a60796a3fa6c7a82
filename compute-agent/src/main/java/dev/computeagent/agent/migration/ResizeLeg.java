package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.virt.Flavor;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code resize} to another host adds to its cold migration ({@link OutgoingMigration}), on the
 * source: the new flavor for check, prepare and adopt, and the source's {@link ResizeRecord} (written
 * before the move with the old definition, so that a revert can define it here again; phase
 * {@code RESIZED} once the destination adopted it; removed when the move is rolled back).
 */
final class ResizeLeg {

    private static final Logger log = LoggerFactory.getLogger(ResizeLeg.class);

    private final ResizeFiles resizeFiles;
    private final ResizeRecord planned;
    private final String destination;
    private ResizeRecord current;

    /** @param planned the resize as decided (phase {@code RESIZING}, no host named yet) */
    ResizeLeg(ResizeFiles resizeFiles, ResizeRecord planned, String destination) {
        this.resizeFiles = resizeFiles;
        this.planned = planned;
        this.destination = destination;
        this.current = planned;
    }

    Flavor flavor() {
        return planned.newFlavor();
    }

    MigrationResize adoptArgs() {
        return new MigrationResize(planned.newFlavor(), planned.requestId());
    }

    /** The instance is stopped and about to move: this host keeps its old definition and disks. */
    void beforeMove(UUID uuid, MigratedInstance oldDefinition) {
        current = new ResizeRecord(Phase.RESIZING, planned.oldFlavor(), planned.newFlavor(), planned.wasRunning(),
                planned.requestId(), null, destination, oldDefinition);
        resizeFiles.write(uuid, current);
    }

    /** The destination adopted and resized it: what is kept here waits for its confirm or revert. */
    void arrived(UUID uuid) {
        resizeFiles.write(uuid, current.in(Phase.RESIZED, planned.requestId()));
    }

    /** The move did not happen: nothing is kept for a resize. */
    void rolledBack(UUID uuid) {
        try {
            if (resizeFiles.record(uuid).isPresent()) {
                resizeFiles.finish(uuid);
            }
        } catch (RuntimeException e) {
            log.warn("could not remove the resize record of {} after its move was rolled back", uuid, e);
        }
    }
}
