package dev.computeagent.agent.testing;

/** Real OpenSSH public keys (made with ssh-keygen; their private halves were thrown away) for tests. */
public final class SshKeys {

    public static final String ED25519 =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAoWQZ6Lh92PxdycsMLJH4Zo/HQMYIhWvHGqFrAfKyyD alice@example";
    public static final String RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCk1ErBY/Yn0kundM5Gol+//y9SGaQBzN9cAXTz15"
            + "/VJdH5fabxfQOCOTRnGhHHOl+3ZlSd+Jp1DyUaR02PQkliGU0QTuoFhe2o3RG1dK4EPKu2ZVIQuj/JaFWtfXqvCi9NPopp0eC/"
            + "jRgeZNrjNyKWvJJE5AbtYX65XMBztedQ+MZ1SdRtGxxu4wwUrFmB4ponqSzvpN1hT7MHMhpOOu8hub9WFuVJiqgNfmeLYSCwq33tMvDc"
            + "QULyU3yrdxsKuAcwxZdOqgTZkat57I3yO18dtlpOrlCbvuFfIkPtJ/P5pkgylkN75xrCW4w9+hdbf42ylr6ZMo29YYwSqHXmzA5B"
            + " bob@example";

    private SshKeys() {
    }
}
