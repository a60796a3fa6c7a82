package dev.computeagent.virt.libvirt.binding;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.lang.reflect.Field;
import org.jspecify.annotations.Nullable;
import org.libvirt.Domain;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.virError;

/**
 * {@code virDomainMigrateStartPostCopy}, which libvirt-java does not map (loaded from the library
 * libvirt-java itself loads, as {@link GuestAgentTimeout} does). Only valid while a migration started
 * with {@code VIR_MIGRATE_POSTCOPY} runs; from the call on the guest runs on the destination.
 */
final class MigrationPostCopy {

    /** The one function. */
    private interface Libvirt extends Library {
        int virDomainMigrateStartPostCopy(DomainPointer domain, int flags);
    }

    private static final @Nullable Libvirt LIBVIRT;
    /** libvirt-java keeps the native pointer package-private. */
    private static final @Nullable Field POINTER;
    private static final @Nullable String UNAVAILABLE;

    static {
        Libvirt libvirt = null;
        Field pointer = null;
        String why = null;
        try {
            libvirt = Native.load("virt", Libvirt.class);
            pointer = Domain.class.getDeclaredField("vdp");
            pointer.setAccessible(true);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            why = e.toString();
        }
        LIBVIRT = libvirt;
        POINTER = pointer;
        UNAVAILABLE = why;
    }

    private MigrationPostCopy() {
    }

    /**
     * Switches the running migration of {@code domain} to post-copy.
     *
     * @throws MigrationException ({@link Step#MONITOR}) the call is not available or libvirt refused it
     *                            (no post-copy capable job running, or it already ended); the migration
     *                            itself goes on unchanged
     */
    static void start(Domain domain, String name) {
        if (LIBVIRT == null || POINTER == null) {
            throw new MigrationException(Step.MONITOR, Reason.FAILED, "cannot start post-copy of " + name
                    + ": virDomainMigrateStartPostCopy is not available: " + UNAVAILABLE, null);
        }
        int rc;
        try {
            rc = LIBVIRT.virDomainMigrateStartPostCopy((DomainPointer) POINTER.get(domain), 0);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new MigrationException(Step.MONITOR, Reason.FAILED, "cannot start post-copy of " + name + ": " + e, e);
        }
        if (rc < 0) {
            // libvirt keeps the error per thread: this thread's last one is this call's
            virError error = org.libvirt.jna.Libvirt.INSTANCE.virGetLastError();
            String message = error == null ? "no error reported" : error.message;
            throw new MigrationException(Step.MONITOR, Reason.FAILED, "start post-copy of " + name + ": " + message,
                    null);
        }
    }
}
