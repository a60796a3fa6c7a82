package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code attach_interface.args}: {@code nic}, as a spawn's NIC ({@code mac} absent = the agent chooses one). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttachInterfaceArgs(@JsonProperty("nic") NicArgs nic) implements CommandArgs {
}
