package io.relaycontrol.core.net;

import io.relaycontrol.api.RelayConfigException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A network list file that cannot be loaded: unreadable, or a line that is not a valid entry for its
 * {@link NetworkListFormat}. The message starts with the file and line, {@code drop.txt line 12: ...}, and
 * {@link #file()} / {@link #line()} give them to programs. When the cause is a bad entry,
 * {@link #invalidEntry()} gives the {@link InvalidNetworkException} with its {@link InvalidNetworkException.Reason}.
 *
 * <p>A {@link RelayConfigException} (since 0.2.0; before, a plain {@code RuntimeException}), so unchecked: configuration
 * code lets it propagate to where the policy is built. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NetworkListException extends RelayConfigException {

    private static final long serialVersionUID = 1L;

    NetworkListException(Path file, int line, String detail, Throwable cause) {
        super(null, Objects.requireNonNull(file, "file"), line, detail, cause);
    }

    /**
     * The file being loaded; always present for this exception. Since 0.2.0 an {@code Optional}, as for every
     * {@link RelayConfigException} (it was a {@code Path}).
     *
     * @return the file
     */
    @Override
    public Optional<Path> file() {
        return super.file();
    }

    /** @return the entry error behind this one, when a line held an invalid network */
    public Optional<InvalidNetworkException> invalidEntry() {
        return getCause() instanceof InvalidNetworkException ? Optional.of((InvalidNetworkException) getCause())
                : Optional.empty();
    }
}
