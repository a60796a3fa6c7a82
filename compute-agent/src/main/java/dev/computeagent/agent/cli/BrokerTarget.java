package dev.computeagent.agent.cli;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import dev.computeagent.agent.status.RedactedUri;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Which broker the tool talks to, and as whom. From {@code --amqp}, else the environment:
 * {@code AMQP_URL}, else the agent's own {@code SPRING_RABBITMQ_*} variables (so the tool run next to
 * an agent, or inside its container, finds the same broker), else {@code amqp://guest:guest@127.0.0.1:5672}.
 *
 * <p>An AMQP URI is {@code amqp[s]://user:password@host:port/vhost}; several, comma-separated, are
 * the nodes of one cluster (user, password and vhost from the first). {@code amqps} verifies the
 * broker's certificate and host name, against the JVM's trust store or, with {@code --amqp-ca} /
 * {@code AMQP_CA_FILE}, against the CA certificates of that PEM file only. {@link #toString()} and
 * every message of this class show the URI without its password.
 */
final class BrokerTarget {

    private final List<URI> uris;
    private final @Nullable Path caFile;

    private BrokerTarget(List<URI> uris, @Nullable Path caFile) {
        this.uris = uris;
        this.caFile = caFile;
    }

    static BrokerTarget resolve(@Nullable String amqpOption, @Nullable String caOption, Map<String, String> env) {
        BrokerTarget target = resolve(amqpOption, env);
        String ca = caOption != null ? caOption : env.get("AMQP_CA_FILE");
        return ca == null || ca.isBlank() ? target : new BrokerTarget(target.uris, Path.of(ca));
    }

    static BrokerTarget resolve(@Nullable String amqpOption, Map<String, String> env) {
        if (amqpOption != null) {
            return parse(amqpOption);
        }
        String url = env.get("AMQP_URL");
        if (url != null && !url.isBlank()) {
            return parse(url);
        }
        String host = env.get("SPRING_RABBITMQ_HOST");
        String addresses = env.get("SPRING_RABBITMQ_ADDRESSES");
        if (host == null && addresses == null) {
            return parse("amqp://guest:guest@127.0.0.1:5672");
        }
        boolean tls = "true".equalsIgnoreCase(env.get("SPRING_RABBITMQ_SSL_ENABLED"));
        String scheme = tls ? "amqps" : "amqp";
        String port = env.getOrDefault("SPRING_RABBITMQ_PORT", tls ? "5671" : "5672");
        List<String> hosts = addresses != null ? List.of(addresses.split(","))
                : List.of((host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        String user = env.getOrDefault("SPRING_RABBITMQ_USERNAME", "guest");
        String password = env.getOrDefault("SPRING_RABBITMQ_PASSWORD", "guest");
        String vhost = env.getOrDefault("SPRING_RABBITMQ_VIRTUAL_HOST", "/");
        List<URI> uris = new ArrayList<>();
        for (String address : hosts) {
            String hostPort = address.strip().replaceFirst("^amqps?://", "");
            try {
                // the default vhost "/" is an empty path; any other is one percent-encoded segment
                uris.add(new URI(scheme + "://" + pct(user) + ":" + pct(password) + "@" + hostOf(hostPort) + ":"
                        + portOf(hostPort, tls) + ("/".equals(vhost) ? "" : "/" + pct(vhost))));
            } catch (URISyntaxException e) {
                throw new UsageException("SPRING_RABBITMQ_ADDRESSES/HOST is not host[:port]: " + hostPort);
            }
        }
        return new BrokerTarget(uris, null);
    }

    static BrokerTarget parse(String commaSeparatedUris) {
        List<URI> uris = new ArrayList<>();
        for (String text : commaSeparatedUris.split(",")) {
            try {
                URI uri = new URI(text.strip());
                if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new URISyntaxException(text, "not amqp[s]://[user:password@]host[:port][/vhost]");
                }
                uris.add(uri);
            } catch (URISyntaxException e) {
                throw new UsageException("not an AMQP URI: " + RedactedUri.of(text.strip()));
            }
        }
        return new BrokerTarget(List.copyOf(uris), null);
    }

    /** A connection factory for the first URI's credentials, vhost and TLS; connect to {@link #addresses()}. */
    ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        URI first = uris.get(0);
        try {
            factory.setUri(first);
            if ("amqps".equals(first.getScheme())) {
                // setUri trusts every certificate for amqps: verify the broker's instead
                factory.useSslProtocol(caFile == null ? SSLContext.getDefault() : trusting(caFile));
                factory.enableHostnameVerification();
            }
        } catch (URISyntaxException | GeneralSecurityException e) {
            throw new UsageException("unusable AMQP URI " + this + ": " + e.getMessage());
        }
        factory.setConnectionTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** A TLS context that trusts exactly the CA certificates in {@code pem}. */
    private static SSLContext trusting(Path pem) throws GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pem)) {
            trust.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new UsageException("no certificate in " + pem);
            }
        } catch (IOException e) {
            throw new UsageException("cannot read the CA file " + pem + ": " + e.getMessage());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    List<Address> addresses() {
        boolean tls = "amqps".equals(uris.get(0).getScheme());
        return uris.stream().map(u -> new Address(u.getHost(), u.getPort() > 0 ? u.getPort() : tls ? 5671 : 5672))
                .toList();
    }

    @Override
    public String toString() {
        return uris.stream().map(u -> RedactedUri.of(u.toString())).collect(Collectors.joining(","));
    }

    private static String pct(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String hostOf(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 && !hostPort.endsWith("]") ? hostPort.substring(0, colon) : hostPort;
    }

    private static int portOf(String hostPort, boolean tls) {
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]")) {
            try {
                return Integer.parseInt(URLDecoder.decode(hostPort.substring(colon + 1), StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                throw new UsageException("not a port in " + hostPort);
            }
        }
        return tls ? 5671 : 5672;
    }
}
