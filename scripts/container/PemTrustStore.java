import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * Writes every certificate of a PEM bundle into a PKCS12 trust store: the Dockerfile's build stage
 * runs it ({@code java PemTrustStore.java BUNDLE STORE PASSWORD}, the source launcher) when it is
 * given the {@code ca-certificates} secret, so that Maven trusts exactly that bundle. One JVM for
 * the whole bundle, where keytool would start one per certificate.
 */
public final class PemTrustStore {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java PemTrustStore.java BUNDLE.pem STORE.p12 PASSWORD");
            System.exit(2);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int count = 0;
        try (InputStream in = new FileInputStream(args[0])) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + count++, certificate);
            }
        }
        if (count == 0) {
            System.err.println("no certificate in " + args[0]);
            System.exit(1);
        }
        try (OutputStream out = new FileOutputStream(args[1])) {
            store.store(out, args[2].toCharArray());
        }
        System.out.println("trust store " + args[1] + ": " + count + " certificates");
    }
}
