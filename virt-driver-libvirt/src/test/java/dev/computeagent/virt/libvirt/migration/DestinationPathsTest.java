package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.migration.MigrationException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationPathsTest {

    private static final String XML = """
            <domain type='kvm'>
              <name>instance-x</name>
              <metadata><agent:instance xmlns:agent="urn:compute-agent:instance:1"><agent:name>/srv/a/x</agent:name></agent:instance></metadata>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/srv/a/state/instances/u1/disk' index='1'/>
                  <backingStore type='file' index='2'>
                    <format type='raw'/>
                    <source file='/srv/a/state/_base/img'/>
                    <backingStore/>
                  </backingStore>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <source file='/elsewhere/config.iso'/>
                  <target dev='hdc' bus='ide'/>
                </disk>
                <serial type='pty'>
                  <log file='/srv/a/state/instances/u1/console.log' append='on'/>
                  <target port='0'/>
                </serial>
                <console type='pty'>
                  <log file='/srv/a/state/instances/u1/console.log' append='on'/>
                  <target type='serial' port='0'/>
                </console>
                <serial type='file'>
                  <source path='/srv/a/state/instances/u1/serial1.log'/>
                  <target port='1'/>
                </serial>
              </devices>
            </domain>
            """;

    private final DestinationPaths paths = new DestinationPaths(Map.of(Path.of("/srv/a/state"), Path.of("/srv/b/state")));

    @Test
    void diskBackingChainAndConsoleLogsMoveToTheDestinationDirectory() {
        String rewritten = paths.rewrite(XML);

        assertThat(rewritten).contains("file=\"/srv/b/state/instances/u1/disk\"")
                .contains("file=\"/srv/b/state/_base/img\"")
                .contains("file=\"/srv/b/state/instances/u1/console.log\"")
                .contains("path=\"/srv/b/state/instances/u1/serial1.log\"")
                .doesNotContain("/srv/a/state/");
    }

    @Test
    void everythingElseIsKept() {
        String rewritten = paths.rewrite(XML);

        assertThat(rewritten).contains("file=\"/elsewhere/config.iso\"").contains("index=\"1\"")
                .contains("<agent:name>/srv/a/x</agent:name>").contains("dev=\"vda\"").contains("bus=\"virtio\"");
    }

    @Test
    void theMostSpecificDirectoryWins() {
        DestinationPaths nested = new DestinationPaths(Map.of(Path.of("/srv"), Path.of("/mnt"),
                Path.of("/srv/a/state"), Path.of("/data/b")));

        assertThat(nested.map(Path.of("/srv/a/state/instances/u1/disk"))).isEqualTo(Path.of("/data/b/instances/u1/disk"));
        assertThat(nested.map(Path.of("/srv/other"))).isEqualTo(Path.of("/mnt/other"));
        assertThat(nested.map(Path.of("/srvx/file"))).isEqualTo(Path.of("/srvx/file"));
    }

    @Test
    void aDocumentTypeDeclarationIsRefused() {
        String hostile = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>";

        assertThatThrownBy(() -> paths.rewrite(hostile)).isInstanceOf(MigrationException.class);
    }
}
