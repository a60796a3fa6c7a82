package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.designer.SpecVariants;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    static ValidationResult validate(Path file) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "validate-", ".out");
        Process process = new ProcessBuilder("prlimit", "--cpu=20", "--as=2147483648", "virt-xml-validate",
                file.toString(), "domain")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("virt-xml-validate did not finish within 20 s");
        }
        return new ValidationResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
