package dev.computeagent.agent.testing;

import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Two real agents (separate JVMs), one on each host of a {@link TwoLibvirtHosts}, signing with the test key
 * and reading images from their own Glance stub: the set-up the two-host agent tests share. Built with
 * {@link #on}, started by {@link Builder#start} (which returns once both consume their queues, or fails with
 * the log of one that died); {@link #close} stops both agents and the stub, and never throws for a piece that
 * did not start.
 */
public final class TwoHostAgents implements AutoCloseable {

    private static final Duration CONSUMING = Duration.ofSeconds(90);

    private final GlanceStubServer glance;
    private HostAgent a;
    private HostAgent b;

    private TwoHostAgents(GlanceStubServer glance) {
        this.glance = glance;
    }

    /** Agents named {@code <name>-a-<run>} and {@code <name>-b-<run>} on {@code hosts}. */
    public static Builder on(TwoLibvirtHosts hosts, String name, String run) {
        return new Builder(hosts, name, run);
    }

    /** The agent on host a (the source in the migration tests). */
    public HostAgent a() {
        return a;
    }

    /** The agent on host b. */
    public HostAgent b() {
        return b;
    }

    public GlanceStubServer glance() {
        return glance;
    }

    @Override
    public void close() throws Exception {
        for (HostAgent agent : new HostAgent[] {a, b}) {
            if (agent != null) {
                agent.stop();
            }
        }
        glance.close();
    }

    /** What differs between the tests: images, where the state lives, per-side properties. */
    public static final class Builder {
        private final TwoLibvirtHosts hosts;
        private final String name;
        private final String run;
        private final Map<String, String> a = new HashMap<>(TestKeys.agentProperties());
        private final Map<String, String> b = new HashMap<>(TestKeys.agentProperties());
        private final Map<String, Consumer<GlanceStubServer>> images = new HashMap<>();
        private boolean sharedState;

        private Builder(TwoLibvirtHosts hosts, String name, String run) {
            this.hosts = hosts;
            this.name = name;
            this.run = run;
        }

        /** The Debian guest image as {@code debian-12} (with its guest agent), both agents on its virt type. */
        public Builder realGuest() {
            Path image = RealGuestImage.path();
            images.put("debian-12", glance -> glance.addImage("debian-12", image).diskFormat("qcow2")
                    .property("hw_qemu_guest_agent", "yes"));
            a.put("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE);
            b.put("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE);
            return this;
        }

        /** A raw image served as {@code id}. */
        public Builder image(String id, Path file) {
            images.put(id, glance -> glance.addImage(id, file));
            return this;
        }

        /**
         * Both agents keep their state (instance directories) in one directory under the hosts' shared
         * directory, so live migrations need no disk copy; by default each has its own under its host's dir.
         */
        public Builder sharedState() {
            sharedState = true;
            return this;
        }

        /** A property of the agent on host a only. */
        public Builder onA(String key, String value) {
            a.put(key, value);
            return this;
        }

        public Builder onB(String key, String value) {
            b.put(key, value);
            return this;
        }

        public TwoHostAgents start() throws Exception {
            Prerequisites.requireQemuImg();
            TwoHostAgents agents = new TwoHostAgents(GlanceStubServer.start());
            try {
                images.values().forEach(image -> image.accept(agents.glance));
                Path shared = hosts.sharedDir().resolve(name + "-state-" + run);
                agents.a = HostAgent.start(hosts.a(), name + "-a-" + run,
                        sharedState ? shared : hosts.a().dir().resolve(name + "-state-" + run), agents.glance.url(), a);
                agents.b = HostAgent.start(hosts.b(), name + "-b-" + run,
                        sharedState ? shared : hosts.b().dir().resolve(name + "-state-" + run), agents.glance.url(), b);
                agents.a.awaitConsuming(CONSUMING);
                agents.b.awaitConsuming(CONSUMING);
                return agents;
            } catch (Exception | Error e) {
                agents.close();
                throw e;
            }
        }
    }
}
