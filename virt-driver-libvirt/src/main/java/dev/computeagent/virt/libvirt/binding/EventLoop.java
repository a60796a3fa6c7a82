package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.HypervisorUnavailableException;
import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop, run by one daemon thread for the whole process.
 *
 * <p>{@code virEventRegisterDefaultImpl} is process-global and must happen before the first
 * connection is opened (keepalive and domain events need it), so the loop is started once and
 * lives as long as the JVM; connections come and go on top of it. Callbacks run on this thread
 * and must only hand work off, never block or call back into libvirt.
 */
public final class EventLoop {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    /** Held strongly: JNA would otherwise collect the callback while libvirt still points at it. */
    private static final Libvirt.VirErrorCallback SILENT = (userData, error) -> { };
    private static boolean started;

    private EventLoop() {
    }

    /** Registers the default event implementation and starts the loop thread, once. */
    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        try {
            // libvirt prints every error to stderr unless an error function is set; we report them as exceptions
            Connect.setErrorCallback(SILENT);
            Library.initEventLoop();
        } catch (LibvirtException e) {
            throw new HypervisorUnavailableException("cannot start the libvirt event loop: " + e.getMessage(), e);
        }
        Thread thread = new Thread(EventLoop::run, "libvirt-event-loop");
        thread.setDaemon(true);
        thread.start();
        started = true;
    }

    private static void run() {
        while (true) {
            try {
                Library.processEvent();
            } catch (LibvirtException | RuntimeException e) {
                log.warn("libvirt event loop iteration failed", e);
            }
        }
    }
}
