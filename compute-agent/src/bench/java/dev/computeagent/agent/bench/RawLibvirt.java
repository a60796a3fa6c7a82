package dev.computeagent.agent.bench;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The raw floor of a spawn on the libvirt side: the C API calls a hand-written client would make
 * ({@code virDomainDefineXML} + {@code virDomainCreate}) on one open connection, through JNA in the
 * benchmark's own JVM, with no agent code in between. Any failing call throws
 * {@link IllegalStateException} with libvirt's last error message.
 */
final class RawLibvirt implements AutoCloseable {

    /** The handful of libvirt calls the floor needs (names and signatures as in libvirt.h). */
    interface Api extends Library {
        Pointer virConnectOpen(String uri);

        int virConnectClose(Pointer conn);

        Pointer virDomainDefineXML(Pointer conn, String xml);

        Pointer virDomainLookupByName(Pointer conn, String name);

        int virDomainCreate(Pointer domain);

        int virDomainDestroy(Pointer domain);

        int virDomainUndefine(Pointer domain);

        int virDomainFree(Pointer domain);

        Pointer virDomainGetXMLDesc(Pointer domain, int flags);

        String virGetLastErrorMessage();

        void virSetErrorFunc(Pointer userData, ErrorFunc handler);

        void free(Pointer p);
    }

    /** libvirt's error callback; the default one prints every error, even expected lookups, to stderr. */
    interface ErrorFunc extends Callback {
        void invoke(Pointer userData, Pointer error);
    }

    private static final int VIR_DOMAIN_XML_INACTIVE = 2;
    private static final Api LIBVIRT = Native.load("virt", Api.class);
    private static final Api LIBC = Native.load("c", Api.class);
    private static final ErrorFunc QUIET = (userData, error) -> { }; // a static: JNA must not collect it
    private final Pointer conn;

    RawLibvirt(String uri) {
        LIBVIRT.virSetErrorFunc(null, QUIET); // failures are still reported, by virGetLastErrorMessage
        conn = LIBVIRT.virConnectOpen(uri);
        if (conn == null) {
            throw failure("virConnectOpen " + uri);
        }
    }

    /** {@code virsh dumpxml --inactive}: the persistent definition of a domain. */
    String inactiveXml(String name) {
        Pointer dom = lookup(name);
        try {
            Pointer xml = LIBVIRT.virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
            if (xml == null) {
                throw failure("virDomainGetXMLDesc " + name);
            }
            try {
                return xml.getString(0, "UTF-8");
            } finally {
                LIBC.free(xml);
            }
        } finally {
            LIBVIRT.virDomainFree(dom);
        }
    }

    /**
     * virDomainDefineXML + virDomainCreate: returns once libvirt reports the domain started, with
     * the {@link System#nanoTime()} between the two calls.
     */
    long defineAndStart(String xml) {
        Pointer dom = LIBVIRT.virDomainDefineXML(conn, xml);
        if (dom == null) {
            throw failure("virDomainDefineXML");
        }
        long defined = System.nanoTime();
        try {
            if (LIBVIRT.virDomainCreate(dom) != 0) {
                throw failure("virDomainCreate");
            }
            return defined;
        } finally {
            LIBVIRT.virDomainFree(dom);
        }
    }

    /** Destroys (if running) and undefines; a missing domain is not an error. */
    void destroyAndUndefine(String name) {
        Pointer dom = LIBVIRT.virDomainLookupByName(conn, name);
        if (dom == null) {
            return;
        }
        try {
            LIBVIRT.virDomainDestroy(dom); // fails harmlessly when it is not running
            if (LIBVIRT.virDomainUndefine(dom) != 0) {
                throw failure("virDomainUndefine " + name);
            }
        } finally {
            LIBVIRT.virDomainFree(dom);
        }
    }

    boolean exists(String name) {
        Pointer dom = LIBVIRT.virDomainLookupByName(conn, name);
        if (dom == null) {
            return false;
        }
        LIBVIRT.virDomainFree(dom);
        return true;
    }

    private Pointer lookup(String name) {
        Pointer dom = LIBVIRT.virDomainLookupByName(conn, name);
        if (dom == null) {
            throw failure("virDomainLookupByName " + name);
        }
        return dom;
    }

    private static IllegalStateException failure(String call) {
        return new IllegalStateException(call + " failed: " + LIBVIRT.virGetLastErrorMessage());
    }

    @Override
    public void close() {
        LIBVIRT.virConnectClose(conn);
    }
}
