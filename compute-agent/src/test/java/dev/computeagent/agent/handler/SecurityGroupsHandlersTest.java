package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.message.SetSecurityGroupsArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import dev.computeagent.virt.network.SecurityRule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security groups through the handlers: a spawn with rules applies the instance's filter before its domain and
 * marks its NICs filtered, {@code set_security_groups} replaces the rules, delete removes the filter; rules for an
 * instance spawned unfiltered are refused.
 */
class SecurityGroupsHandlersTest {

    private static final SecurityRuleArgs SSH = new SecurityRuleArgs("ingress", "tcp",
            new SecurityRuleArgs.PortRange(22, 22), "10.0.0.0/8", null);
    private static final SecurityRuleArgs PING = new SecurityRuleArgs("ingress", "icmp", null, null, "IPv4");

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeSecurityGroupDriver groups = new FakeSecurityGroupDriver();
    private SpawnHandler spawn;
    private SetSecurityGroupsHandler set;
    private DeleteHandler delete;
    private InstanceStore store;

    @BeforeEach
    void setUp() {
        InstanceRegistry registry = new InstanceRegistry("h1");
        InstanceFiles files = new InstanceFiles(stateDir, "test-host");
        FakeImageCache images = new FakeImageCache();
        store = new InstanceStore(driver, registry);
        spawn = new SpawnHandler(driver, images, store, files, new InstanceProvisioner(images, files,
                ConfigDrives.builder()), new HostCapacity(driver, files, registry), ConfigDrives.OPTIONS, "h1",
                Clock.systemUTC(), new SimpleMeterRegistry(), new FakeNetworkDriver(), groups,
                // the writes behind a spawn's answer done before the test goes on (and before its directory is removed)
                Runnable::run);
        set = new SetSecurityGroupsHandler(store, groups);
        delete = new DeleteHandler(driver, store, files, groups);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private Command<SpawnArgs> spawnOf(UUID uuid, List<SecurityRuleArgs> rules) {
        return Command.of("r-" + uuid, uuid, CommandName.SPAWN, new SpawnArgs("vm", new Flavor(1, 64, 1, 0), "img",
                null, null, null, null, rules));
    }

    @Test
    void spawnAppliesTheFilterSetReplacesItDeleteRemovesIt() {
        UUID uuid = UUID.randomUUID();

        spawn.handle(spawnOf(uuid, List.of(SSH)));

        assertThat(groups.rules(uuid)).contains(List.of(SSH.toRule()));
        assertThat(driver.specOf(uuid).orElseThrow().securityGroups()).isTrue();
        assertThat(Annotations.hasSecurityGroups(store.find(uuid).orElseThrow().metadata())).isTrue();

        Outcome outcome = set.handle(Command.of("r-2", uuid, CommandName.SET_SECURITY_GROUPS,
                new SetSecurityGroupsArgs(List.of(PING))));

        assertThat(groups.rules(uuid)).contains(List.of(new SecurityRule(SecurityRule.Direction.INGRESS,
                SecurityRule.Protocol.ICMP, Optional.empty(), Optional.empty(), Optional.empty(),
                SecurityRule.Ethertype.IPV4)));
        assertThat(outcome.payload()).containsEntry("state", "ACTIVE");

        delete.handle(Command.of("r-3", uuid, CommandName.DELETE, NoArgs.INSTANCE));

        assertThat(groups.rules(uuid)).isEmpty();
    }

    @Test
    void rulesForAnInstanceSpawnedUnfilteredOrUnknownAreRefused() {
        UUID unfiltered = UUID.randomUUID();
        spawn.handle(Command.of("r-1", unfiltered, CommandName.SPAWN, new SpawnArgs("vm", new Flavor(1, 64, 1, 0),
                "img", null, null, null)));

        CommandFailedException refused = catchThrowableOfType(() -> set.handle(Command.of("r-2", unfiltered,
                CommandName.SET_SECURITY_GROUPS, new SetSecurityGroupsArgs(List.of(SSH)))),
                CommandFailedException.class);
        CommandFailedException unknown = catchThrowableOfType(() -> set.handle(Command.of("r-3", UUID.randomUUID(),
                CommandName.SET_SECURITY_GROUPS, new SetSecurityGroupsArgs(List.of(SSH)))),
                CommandFailedException.class);

        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_COMMAND);
        assertThat(refused.getMessage()).contains("without security_groups");
        assertThat(groups.rules(unfiltered)).isEmpty();
        assertThat(driver.specOf(unfiltered).orElseThrow().securityGroups()).isFalse();
        assertThat(unknown.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND);
    }
}
