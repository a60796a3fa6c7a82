package dev.computeagent.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageUploadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** coreutils' hashes of a file are the JDK's, and a file that cannot be hashed is a typed upload failure. */
class FileHashesTest {

    @TempDir
    Path dir;

    @Test
    void md5AndSha512AreTheFilesOwn() throws Exception {
        byte[] content = new byte[3 << 20];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("disk.qcow2"), content);

        FileHashes.Hashes hashes = new FileHashes(new ProcessRunner()).of(file, content.length);

        assertThat(hashes.md5()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)));
        assertThat(hashes.sha512())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content)));
    }

    @Test
    void aFileThatCannotBeReadIsARetriableUploadFailureNamingTheProgram() {
        Path missing = dir.resolve("gone.qcow2");

        assertThatThrownBy(() -> new FileHashes(new ProcessRunner()).of(missing, 0))
                .isInstanceOf(ImageUploadException.class).hasMessageContaining("sum").hasMessageContaining("gone.qcow2")
                .satisfies(e -> assertThat(((ImageUploadException) e).retriable()).isTrue());
    }
}
