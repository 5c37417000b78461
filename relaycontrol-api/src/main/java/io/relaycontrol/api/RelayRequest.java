package io.relaycontrol.api;

import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.IpAddresses;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One question to a {@link RelayDecider}: the SMTP stage, who the client is, and what it has said so far.
 *
 * <p>Fields: the {@link Stage}; the client address (an {@link InetAddress}, as the SMTP server hands it
 * over; an IPv4-mapped IPv6 address is stored as the IPv4 address); the client host name if the server
 * resolved and verified one; the HELO name; the authenticated identity, present only after a
 * <em>successful</em> AUTH (never the unverified {@code AUTH=} parameter of MAIL FROM); whether TLS is
 * active; the envelope sender (empty while unknown, {@link EnvelopeAddress#NULL_PATH} for {@code <>});
 * the current recipient; the number of recipients accepted so far in this transaction; the message size, if
 * known (see {@link #declaredSize()}).
 *
 * <p>Instances are immutable and thread-safe. Build them with {@link #builder(Stage)}:
 * <pre>{@code
 * RelayRequest r = RelayRequest.builder(Stage.RCPT).client("203.0.113.7")
 *         .sender("<alice@example.org>").recipient("<bob@example.com>").build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class RelayRequest {

    private final Stage stage;
    private final InetAddress clientAddress;
    private final String clientHostName;
    private final String helo;
    private final String authenticatedIdentity;
    private final boolean tls;
    private final EnvelopeAddress sender;
    private final EnvelopeAddress recipient;
    private final int recipientCount;
    private final long declaredSize;

    private RelayRequest(Builder b) {
        this.stage = b.stage;
        this.clientAddress = Objects.requireNonNull(b.clientAddress, "client address is required");
        this.clientHostName = b.clientHostName;
        this.helo = b.helo;
        this.authenticatedIdentity = b.authenticatedIdentity;
        this.tls = b.tls;
        this.sender = b.sender;
        this.recipient = b.recipient;
        this.recipientCount = b.recipientCount;
        this.declaredSize = b.declaredSize;
        if ((stage == Stage.MAIL || stage == Stage.RCPT || stage == Stage.DATA) && sender == null) {
            throw new IllegalStateException("a " + stage + " request needs the envelope sender");
        }
        if (stage == Stage.RCPT && recipient == null) {
            throw new IllegalStateException("a RCPT request needs the recipient");
        }
    }

    /**
     * Starts a request at {@code stage}.
     *
     * @param stage the SMTP stage
     * @return a builder (not thread-safe)
     */
    public static Builder builder(Stage stage) {
        return new Builder(stage);
    }

    /** @return a builder holding this request's fields, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(stage);
        b.clientAddress = clientAddress;
        b.clientHostName = clientHostName;
        b.helo = helo;
        b.authenticatedIdentity = authenticatedIdentity;
        b.tls = tls;
        b.sender = sender;
        b.recipient = recipient;
        b.recipientCount = recipientCount;
        b.declaredSize = declaredSize;
        return b;
    }

    /** @return the SMTP stage */
    public Stage stage() {
        return stage;
    }

    /** @return the client's IP address (IPv4-mapped IPv6 already unwrapped to IPv4) */
    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** @return the client's host name, if the server resolved and verified one */
    public Optional<String> clientHostName() {
        return Optional.ofNullable(clientHostName);
    }

    /** @return the name given with HELO or EHLO, as received */
    public Optional<String> helo() {
        return Optional.ofNullable(helo);
    }

    /** @return the login verified by a successful AUTH; empty for unauthenticated clients */
    public Optional<String> authenticatedIdentity() {
        return Optional.ofNullable(authenticatedIdentity);
    }

    /** @return {@code true} when the client authenticated successfully */
    public boolean isAuthenticated() {
        return authenticatedIdentity != null;
    }

    /** @return {@code true} when the session is protected by TLS (STARTTLS or implicit TLS) */
    public boolean isTls() {
        return tls;
    }

    /** @return the envelope sender; empty while not yet known, {@link EnvelopeAddress#NULL_PATH} for {@code <>} */
    public Optional<EnvelopeAddress> sender() {
        return Optional.ofNullable(sender);
    }

    /** @return the current recipient; present at {@link Stage#RCPT} */
    public Optional<EnvelopeAddress> recipient() {
        return Optional.ofNullable(recipient);
    }

    /**
     * Fast access for rules on the hot path: the sender or {@code null}.
     *
     * @return the sender, or {@code null} while unknown
     */
    public EnvelopeAddress senderOrNull() {
        return sender;
    }

    /**
     * Fast access for rules on the hot path: the recipient or {@code null}.
     *
     * @return the recipient, or {@code null} when there is none
     */
    public EnvelopeAddress recipientOrNull() {
        return recipient;
    }

    /** @return recipients accepted so far in this transaction (not counting the current one) */
    public int recipientCount() {
        return recipientCount;
    }

    /**
     * The message size, in bytes: at {@link Stage#MAIL} and {@link Stage#RCPT} the one declared with
     * {@code SIZE=}; at {@link Stage#DATA} the size the server passes there, at the end of the data the size of
     * the message received (Postfix's {@code END-OF-MESSAGE}), which a server that knows only the declared
     * size may pass instead.
     *
     * @return the message size, if known
     */
    public OptionalLong declaredSize() {
        return declaredSize < 0 ? OptionalLong.empty() : OptionalLong.of(declaredSize);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RelayRequest{").append(stage)
                .append(" client=").append(IpAddresses.format(clientAddress));
        if (clientHostName != null) {
            sb.append(" host=").append(clientHostName);
        }
        if (helo != null) {
            sb.append(" helo=").append(helo);
        }
        if (authenticatedIdentity != null) {
            sb.append(" auth=").append(authenticatedIdentity);
        }
        if (tls) {
            sb.append(" tls");
        }
        if (sender != null) {
            sb.append(" from=").append(sender);
        }
        if (recipient != null) {
            sb.append(" to=").append(recipient);
        }
        if (recipientCount > 0) {
            sb.append(" rcpts=").append(recipientCount);
        }
        if (declaredSize >= 0) {
            sb.append(" size=").append(declaredSize);
        }
        return sb.append('}').toString();
    }

    /**
     * Builds a {@link RelayRequest}. Not thread-safe. Each setter validates at once; {@link #build()}
     * checks that the stage has what it needs (MAIL, RCPT and DATA need a sender; RCPT needs a recipient).
     */
    public static final class Builder {
        private final Stage stage;
        private InetAddress clientAddress;
        private String clientHostName;
        private String helo;
        private String authenticatedIdentity;
        private boolean tls;
        private EnvelopeAddress sender;
        private EnvelopeAddress recipient;
        private int recipientCount;
        private long declaredSize = -1;

        private Builder(Stage stage) {
            this.stage = Objects.requireNonNull(stage, "stage");
        }

        /**
         * @param address the client's address; IPv4-mapped IPv6 is unwrapped to IPv4
         * @return this builder
         */
        public Builder client(InetAddress address) {
            this.clientAddress = IpAddresses.unwrapIPv4Mapped(Objects.requireNonNull(address, "address"));
            return this;
        }

        /**
         * Sets the client address from an IP literal, read by {@link IpAddresses#parse(String)}: strict forms
         * only, no zone identifier. Host names are refused, never resolved.
         *
         * @param ipLiteral {@code 192.0.2.1}, {@code 2001:db8::1} or {@code [2001:db8::1]}
         * @return this builder
         * @throws IllegalArgumentException if {@code ipLiteral} is not an IP address literal
         */
        public Builder client(String ipLiteral) {
            return client(IpAddresses.parse(Objects.requireNonNull(ipLiteral, "ipLiteral")));
        }

        /**
         * @param hostName the client's verified host name
         * @return this builder
         */
        public Builder clientHostName(String hostName) {
            this.clientHostName = Objects.requireNonNull(hostName, "hostName");
            return this;
        }

        /**
         * @param heloName the HELO/EHLO argument as received
         * @return this builder
         */
        public Builder helo(String heloName) {
            this.helo = Objects.requireNonNull(heloName, "heloName");
            return this;
        }

        /**
         * @param login the identity verified by a successful AUTH
         * @return this builder
         * @throws IllegalArgumentException if {@code login} is blank
         */
        public Builder authenticated(String login) {
            Objects.requireNonNull(login, "login");
            if (login.isBlank()) {
                throw new IllegalArgumentException("authenticated identity must not be blank");
            }
            this.authenticatedIdentity = login;
            return this;
        }

        /**
         * @param active whether TLS is active
         * @return this builder
         */
        public Builder tls(boolean active) {
            this.tls = active;
            return this;
        }

        /**
         * @param path the MAIL FROM path as received, {@code <>} for the null sender
         * @return this builder
         */
        public Builder sender(String path) {
            return sender(EnvelopeAddress.parse(Objects.requireNonNull(path, "path")));
        }

        /**
         * @param address the parsed envelope sender
         * @return this builder
         */
        public Builder sender(EnvelopeAddress address) {
            this.sender = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param path the RCPT TO path as received
         * @return this builder
         */
        public Builder recipient(String path) {
            return recipient(EnvelopeAddress.parse(Objects.requireNonNull(path, "path")));
        }

        /**
         * @param address the parsed recipient
         * @return this builder
         */
        public Builder recipient(EnvelopeAddress address) {
            this.recipient = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param count recipients accepted so far in this transaction
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder recipientCount(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("recipient count must not be negative, was " + count);
            }
            this.recipientCount = count;
            return this;
        }

        /**
         * @param bytes the message size: declared with {@code SIZE=}, or at the end of DATA the size received
         *     (see {@link RelayRequest#declaredSize()})
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder declaredSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("declared size must not be negative, was " + bytes);
            }
            this.declaredSize = bytes;
            return this;
        }

        /**
         * @return the request
         * @throws NullPointerException if no client address was given
         * @throws IllegalStateException if the stage lacks the sender or recipient it needs
         */
        public RelayRequest build() {
            return new RelayRequest(this);
        }
    }
}
