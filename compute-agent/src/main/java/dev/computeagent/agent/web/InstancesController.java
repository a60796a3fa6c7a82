package dev.computeagent.agent.web;

import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.InstanceViews;
import dev.computeagent.agent.state.MigrationProgressBoard;
import dev.computeagent.agent.status.GuestAgentProbe;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.GuestAgentStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/instances} and {@code GET /v1/instances/{uuid}} (docs/architecture.md, "Contracts"). The list is a JSON
 * array ordered by creation time, from the agent's own view. One instance adds its network
 * interfaces with their IP addresses, asked of the hypervisor (and the guest agent: up to its timeout)
 * on each request, and whether its guest agent answers, asked through {@link GuestAgentProbe}, which
 * holds the request for at most two seconds ({@link InstanceDetails}). A uuid that is malformed or not
 * an instance of this agent is a 404 problem ({@link InstanceNotFoundProblem}); views that are not
 * available (no {@link InstanceViews} in the context) a 503 problem.
 */
@RestController
public class InstancesController {

    private static final Logger log = LoggerFactory.getLogger(InstancesController.class);

    /** The canonical 8-4-4-4-12 form; upper-case hex is accepted and normalised. */
    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final Comparator<InstanceView> BY_CREATION = Comparator
            .comparing(InstanceView::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(InstanceView::uuid, Comparator.nullsLast(Comparator.naturalOrder()));

    private final ObjectProvider<InstanceViews> views;
    private final ObjectProvider<ComputeDriver> driver;
    private final ObjectProvider<GuestAgentProbe> guestAgents;
    private final ObjectProvider<MigrationProgressBoard> migrations;

    public InstancesController(ObjectProvider<InstanceViews> views, ObjectProvider<ComputeDriver> driver,
                               ObjectProvider<GuestAgentProbe> guestAgents,
                               ObjectProvider<MigrationProgressBoard> migrations) {
        this.views = views;
        this.driver = driver;
        this.guestAgents = guestAgents;
        this.migrations = migrations;
    }

    @GetMapping("/v1/instances")
    public List<InstanceView> list() {
        return views().all().stream().sorted(BY_CREATION).toList();
    }

    @GetMapping("/v1/instances/{uuid}")
    public InstanceDetails get(@PathVariable("uuid") String uuid) {
        if (!UUID_FORM.matcher(uuid).matches()) {
            throw new InstanceNotFoundProblem(uuid);
        }
        UUID id = UUID.fromString(uuid.toLowerCase(Locale.ROOT));
        InstanceView instance = views().find(id).orElseThrow(() -> new InstanceNotFoundProblem(uuid));
        GuestAgentProbe probe = guestAgents.getIfAvailable();
        String guestAgent = (probe == null ? Optional.<GuestAgentStatus>empty() : probe.status(id))
                .map(Enum::name).orElse(InstanceDetails.UNKNOWN);
        MigrationProgressBoard board = migrations.getIfAvailable();
        return new InstanceDetails(instance, interfaces(id), guestAgent,
                board == null ? null : board.find(id).orElse(null));
    }

    /** Null when the hypervisor cannot answer now: the rest of the view is still worth serving. */
    private @Nullable List<InterfaceView> interfaces(UUID uuid) {
        ComputeDriver current = driver.getIfAvailable();
        if (current == null) {
            return null;
        }
        try {
            return current.interfaces(uuid).stream().map(InterfaceView::of).toList();
        } catch (DriverException e) {
            log.debug("interfaces of instance {} unknown: {}", uuid, e.getMessage());
            return null;
        }
    }

    private InstanceViews views() {
        InstanceViews current = views.getIfAvailable();
        if (current == null) {
            throw new CollaboratorUnavailableProblem("instance views", null);
        }
        return current;
    }
}
