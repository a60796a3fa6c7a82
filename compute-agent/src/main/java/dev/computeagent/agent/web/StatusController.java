package dev.computeagent.agent.web;

import dev.computeagent.agent.status.HostStatus;
import dev.computeagent.agent.status.HostStatusService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/status} (docs/architecture.md, "Contracts"): the same body as the {@code host.status} heartbeat. */
@RestController
public class StatusController {

    private final HostStatusService status;

    public StatusController(HostStatusService status) {
        this.status = status;
    }

    @GetMapping("/v1/status")
    public HostStatus status() {
        return status.current();
    }
}
