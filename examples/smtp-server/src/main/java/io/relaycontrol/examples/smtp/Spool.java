package io.relaycontrol.examples.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.subethamail.smtp.TooMuchDataException;

/**
 * Writes accepted messages as {@code .eml} files into a directory: envelope headers
 * ({@code Return-Path}, one {@code X-Envelope-To} per recipient), then the message as received. A file
 * is written under a temporary name and renamed when complete, so a reader never sees half a message.
 * Thread-safe.
 */
final class Spool {

    private final Path directory;
    private final Clock clock;

    Spool(Path directory, Clock clock) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Path directory() {
        return directory;
    }

    /** Creates the directory if needed. */
    void open() throws IOException {
        Files.createDirectories(directory);
    }

    /**
     * Stores one message.
     *
     * @return the id of the stored message (its file name without {@code .eml})
     * @throws TooMuchDataException if the message is longer than {@code maxBytes}
     */
    String store(String sender, List<String> recipients, InputStream data, long maxBytes) throws IOException {
        String id = clock.millis() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path tmp = directory.resolve("." + id + ".tmp");
        boolean done = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                StringBuilder head = new StringBuilder();
                head.append("Return-Path: <").append(sender).append(">\r\n");
                for (String r : recipients) {
                    head.append("X-Envelope-To: <").append(r).append(">\r\n");
                }
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                byte[] buf = new byte[8192];
                long total = 0;
                int n;
                while ((n = data.read(buf)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new TooMuchDataException("message larger than " + maxBytes + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            Files.move(tmp, directory.resolve(id + ".eml"), StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return id;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
