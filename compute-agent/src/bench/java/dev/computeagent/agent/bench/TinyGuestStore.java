package dev.computeagent.agent.bench;

import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A directory image store holding the tiny guest as {@code tiny-guest}, with its Glance-style metadata. */
final class TinyGuestStore {

    private TinyGuestStore() {
    }

    /** Writes the store into {@code store} (created when missing) and returns it. */
    static Path write(Path store) throws Exception {
        Files.createDirectories(store);
        byte[] bytes = Files.readAllBytes(TinyGuestImage.write(store.resolve("tiny-guest")));
        Files.writeString(store.resolve("tiny-guest.json"), "{\"id\":\"tiny-guest\",\"status\":\"active\","
                + "\"disk_format\":\"raw\",\"container_format\":\"bare\",\"size\":" + bytes.length + ","
                + "\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes)) + "\"}");
        return store;
    }
}
