package dev.computeagent.agent.web;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.network.NetworkDriver;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/networks}: the host networks the agent created ({@code agent.networks.*}), by name, as the
 * hypervisor has them now. No network driver, or a hypervisor that cannot be asked, is a 503 problem.
 */
@RestController
public class NetworksController {

    private final ObjectProvider<NetworkDriver> networks;

    public NetworksController(ObjectProvider<NetworkDriver> networks) {
        this.networks = networks;
    }

    @GetMapping("/v1/networks")
    public List<NetworkView> list() {
        NetworkDriver current = networks.getIfAvailable();
        if (current == null) {
            throw new CollaboratorUnavailableProblem("network driver", null);
        }
        try {
            return current.list().stream().map(NetworkView::of).toList();
        } catch (DriverException e) {
            throw new CollaboratorUnavailableProblem("hypervisor", e);
        }
    }
}
