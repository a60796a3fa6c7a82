package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's build stage turns the {@code ca-certificates} secret into a Java trust store with
 * {@code scripts/container/PemTrustStore.java} (the source launcher, as the stage runs it): every
 * certificate of the bundle becomes a trusted entry.
 */
class PemTrustStoreTest {

    @Test
    void everyCertificateOfTheBundleIsATrustedEntry(@TempDir Path dir) throws Exception {
        Path bundle = Path.of("/etc/ssl/certs/ca-certificates.crt");
        Prerequisites.require("the system CA bundle " + bundle, Files.isRegularFile(bundle), "apt-get install ca-certificates");
        List<X509Certificate> expected;
        try (InputStream in = Files.newInputStream(bundle)) {
            expected = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        }
        Path store = dir.resolve("trust.p12");

        ProcessResult result = new ProcessRunner().run(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), ProjectFiles.repositoryRoot().resolve("scripts/container/PemTrustStore.java").toString(),
                bundle.toString(), store.toString(), "changeit"), 0, 0, Duration.ofSeconds(60));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(expected).isNotEmpty();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trust.load(in, "changeit".toCharArray());
        }
        List<String> aliases = Collections.list(trust.aliases());
        assertThat(aliases).hasSize(expected.size()).allMatch(alias -> {
            try {
                return trust.isCertificateEntry(alias);
            } catch (KeyStoreException e) {
                return false;
            }
        });
        for (X509Certificate certificate : expected) {
            assertThat(trust.getCertificateAlias(certificate)).as(certificate.getSubjectX500Principal().getName())
                    .isNotNull();
        }
    }
}
