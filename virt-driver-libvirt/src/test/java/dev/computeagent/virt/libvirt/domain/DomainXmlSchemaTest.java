package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every designed variant is valid according to libvirt's own RelaxNG schema ({@code virt-xml-validate}). */
class DomainXmlSchemaTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void requireValidator() {
        Prerequisites.requireVirtXmlValidate();
    }

    static List<SpecVariants.Variant> variants() {
        return SpecVariants.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void renderedDomainIsValidForLibvirtsSchema(SpecVariants.Variant variant) throws Exception {
        Path file = Files.createTempFile(dir, "domain-", ".xml");
        Files.writeString(file, DomainXml.render(new DomainDesigner(variant.options()).design(variant.spec())));

        ValidationResult result = validate(file);

        assertThat(result.exitCode()).as("virt-xml-validate output: %s", result.output()).isZero();
    }

    @Test
    void validatorRejectsAnElementLibvirtDoesNotKnow() throws Exception {
        SpecVariants.Variant variant = SpecVariants.all().get(0);
        String xml = DomainXml.render(new DomainDesigner(variant.options()).design(variant.spec()))
                .replace("<devices>", "<devices><frobnicator/>");
        Path file = Files.createTempFile(dir, "invalid-", ".xml");
        Files.writeString(file, xml);

        assertThat(validate(file).exitCode()).isNotZero();
    }

    record ValidationResult(int exitCode, String output) {
    }

    static ValidationResult validate(Path file) {
        ProcessResult r = new ProcessRunner().run(List.of("virt-xml-validate", file.toString(), "domain"), 20,
                2L << 30, Duration.ofSeconds(20));
        return new ValidationResult(r.exitCode(), r.stdout() + "\n" + r.stderr());
    }
}
