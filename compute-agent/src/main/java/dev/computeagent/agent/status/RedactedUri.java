package dev.computeagent.agent.status;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A connection URI made safe to show: user info and query (where libvirt URIs may carry key files
 * or user names) are dropped. Text that is not a URI is replaced entirely.
 */
public final class RedactedUri {

    private RedactedUri() {
    }

    public static @Nullable String of(@Nullable String uri) {
        if (uri == null) {
            return null;
        }
        try {
            URI parsed = new URI(uri);
            if (parsed.getRawUserInfo() == null && parsed.getRawQuery() == null) {
                return uri;
            }
            return new URI(parsed.getScheme(), null, parsed.getHost(), parsed.getPort(), parsed.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            return "(unparsable uri)";
        }
    }
}
