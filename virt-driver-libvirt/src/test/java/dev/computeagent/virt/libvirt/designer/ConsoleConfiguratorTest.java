package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.domain.CharDeviceType;
import dev.computeagent.virt.libvirt.domain.CharLog;
import dev.computeagent.virt.libvirt.domain.Console;
import dev.computeagent.virt.libvirt.domain.ConsoleTargetType;
import dev.computeagent.virt.libvirt.domain.Serial;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleConfiguratorTest {

    @Test
    void ptySerialAppendsToTheConsoleLogAndIsTheConsole() {
        DomainBuilder domain = new DomainBuilder();

        new ConsoleConfigurator().configure(SpecVariants.simpleSpec(), domain);

        assertThat(domain.serials).containsExactly(new Serial(CharDeviceType.PTY,
                Optional.of(new CharLog(SpecVariants.INSTANCE_DIR.resolve("console.log"), true)), 0));
        assertThat(domain.consoles).containsExactly(new Console(CharDeviceType.PTY, ConsoleTargetType.SERIAL, 0));
    }
}
