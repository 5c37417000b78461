package io.relaycontrol.examples.policy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One Postfix SMTPD access policy request ({@code request=smtpd_access_policy}), its attributes decoded, and
 * its mapping to a {@link RelayRequest}.
 *
 * <p>Attributes, as Postfix's {@code SMTPD_POLICY_README} defines them up to Postfix 3.12: {@code request},
 * {@code protocol_state}, {@code protocol_name}, {@code helo_name}, {@code queue_id}, {@code sender},
 * {@code recipient}, {@code recipient_count}, {@code client_address}, {@code client_name},
 * {@code reverse_client_name}, {@code instance}, {@code sasl_method}, {@code sasl_username},
 * {@code sasl_sender}, {@code size}, {@code ccert_subject}, {@code ccert_issuer}, {@code ccert_fingerprint},
 * {@code encryption_protocol}, {@code encryption_cipher}, {@code encryption_keysize}, {@code etrn_domain},
 * {@code stress}, {@code ccert_pubkey_fingerprint}, {@code client_port}, {@code policy_context},
 * {@code server_address}, {@code server_port}, {@code compatibility_level}, {@code mail_version},
 * {@code tls_sni}. The rules of the protocol are kept: attributes this class does not know are kept (see
 * {@link #attribute(String)}) but never interpreted; an empty value means unknown (and so does {@code 0} for
 * a numeric attribute); when a name is repeated the last value counts; {@code ccert_*} values are xtext and are
 * decoded here.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class PolicyRequest {

    /** The only request type of the SMTPD policy protocol. */
    public static final String SMTPD_ACCESS_POLICY = "smtpd_access_policy";

    /** Every attribute Postfix sends, up to Postfix 3.12, in the order of {@code SMTPD_POLICY_README}. */
    public static final List<String> KNOWN_ATTRIBUTES = List.of("request", "protocol_state", "protocol_name",
            "helo_name", "queue_id", "sender", "recipient", "recipient_count", "client_address", "client_name",
            "reverse_client_name", "instance", "sasl_method", "sasl_username", "sasl_sender", "size",
            "ccert_subject", "ccert_issuer", "ccert_fingerprint", "encryption_protocol", "encryption_cipher",
            "encryption_keysize", "etrn_domain", "stress", "ccert_pubkey_fingerprint", "client_port",
            "policy_context", "server_address", "server_port", "compatibility_level", "mail_version", "tls_sni");

    private static final List<String> NUMERIC = List.of("client_port", "server_port", "recipient_count", "size",
            "encryption_keysize");

    /** The index of each known name in {@link #KNOWN_ATTRIBUTES}. */
    private static final Map<String, Integer> INDEX;

    static {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < KNOWN_ATTRIBUTES.size(); i++) {
            index.put(KNOWN_ATTRIBUTES.get(i), i);
        }
        INDEX = Map.copyOf(index);
    }

    /*
     * A request is read once and asked a dozen attributes, so it keeps the values of the known names in an array
     * (by their index in KNOWN_ATTRIBUTES) and the others in a small map, and builds the ordered map of every
     * attribute only when attributes(), equals, hashCode or toString asks for it: a LinkedHashMap of 32 entries
     * per request was 1.6 KB of the 3.8 KB the server allocated per request in the benchmark.
     */
    /** The pairs as received (immutable). */
    private final List<Map.Entry<String, String>> received;
    /** The decoded last non-empty value of each known name, or null. */
    private final String[] known;
    /** The decoded last non-empty value of each unknown name; empty when there is none. */
    private final Map<String, String> unknown;
    /** {@link #attributes()}, built on first use (racy single check: the map is immutable). */
    private Map<String, String> attributes;

    private PolicyRequest(List<Map.Entry<String, String>> received, String[] known, Map<String, String> unknown) {
        this.received = received;
        this.known = known;
        this.unknown = unknown;
    }

    private String value(String name) {
        Integer i = INDEX.get(name);
        return i != null ? known[i] : unknown.get(name);
    }

    /**
     * Reads a request from its attributes, in the order received. Empty values are dropped (unknown); a
     * repeated name keeps its last value; {@code ccert_*} values are xtext-decoded; numeric attributes are
     * checked.
     *
     * @param attributes the {@code name=value} pairs as received, in order
     * @return the request
     * @throws IllegalArgumentException if {@code request} is not {@code smtpd_access_policy}, a numeric attribute
     *     ({@code client_port}, {@code server_port}, {@code recipient_count}, {@code size},
     *     {@code encryption_keysize}) is not a non-negative decimal number, or a {@code ccert_*} value is not
     *     valid xtext; the message names the attribute and its value
     */
    public static PolicyRequest of(List<Map.Entry<String, String>> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        return ofReceived(List.copyOf(attributes));
    }

    /**
     * As {@link #of(List)}, without the copy: for the list a {@link PolicyRequestReader} has just returned, which
     * nobody changes afterwards (the copy was a sixth of what the server allocated per request).
     */
    static PolicyRequest ofReceived(List<Map.Entry<String, String>> received) {
        String[] known = new String[KNOWN_ATTRIBUTES.size()];
        Map<String, String> unknown = Map.of();
        for (Map.Entry<String, String> e : received) {
            String name = Objects.requireNonNull(e.getKey(), "attribute name");
            String value = Objects.requireNonNull(e.getValue(), "attribute value");
            // the last value counts, and an empty last value means unknown
            String v = value.isEmpty() ? null : name.startsWith("ccert_") ? decodeXText(name, value) : value;
            Integer i = INDEX.get(name);
            if (i != null) {
                known[i] = v;
            } else {
                if (unknown.isEmpty()) {
                    unknown = new HashMap<>();
                }
                unknown.remove(name);
                if (v != null) {
                    unknown.put(name, v);
                }
            }
        }
        String request = known[INDEX.get("request")];
        if (!SMTPD_ACCESS_POLICY.equals(request)) {
            throw new IllegalArgumentException(request == null
                    ? "the request attribute is missing (expected request=" + SMTPD_ACCESS_POLICY + ")"
                    : "unknown request type request=" + request + " (expected " + SMTPD_ACCESS_POLICY + ")");
        }
        PolicyRequest r = new PolicyRequest(received, known, unknown);
        for (String numeric : NUMERIC) {
            r.number(numeric);
        }
        return r;
    }

    /**
     * Reads a request from a map of attributes (each name once).
     *
     * @param attributes the attributes
     * @return the request
     * @throws IllegalArgumentException as {@link #of(List)}
     */
    public static PolicyRequest of(Map<String, String> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        return of(List.copyOf(attributes.entrySet()));
    }

    private static String decodeXText(String name, String value) {
        try {
            return XText.decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Any attribute, known or not, decoded.
     *
     * @param name the attribute name
     * @return its last non-empty value, or empty when it was not sent or sent empty
     */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(value(Objects.requireNonNull(name, "name")));
    }

    /** @return every attribute with a value, in the order first received; unmodifiable */
    public Map<String, String> attributes() {
        Map<String, String> a = attributes;
        if (a == null) {
            Map<String, String> map = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : received) {
                String name = e.getKey();
                map.remove(name);
                String v = value(name);
                if (!e.getValue().isEmpty() && v != null) {
                    map.put(name, v);
                }
            }
            a = Collections.unmodifiableMap(map);
            attributes = a;
        }
        return a;
    }

    private long number(String name) {
        String v = value(name);
        if (v == null) {
            return 0;
        }
        if (v.length() > 18) {
            throw new IllegalArgumentException(name + " must be a non-negative decimal number, was '" + v + "'");
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(name + " must be a non-negative decimal number, was '" + v + "'");
            }
            n = n * 10 + (c - '0');
        }
        if ((name.endsWith("_port") && n > 65535) || ((name.equals("recipient_count")
                || name.equals("encryption_keysize")) && n > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(name + " is out of range: '" + v + "'");
        }
        return n;
    }

    private OptionalInt optionalInt(String name) {
        long n = number(name);
        return n == 0 ? OptionalInt.empty() : OptionalInt.of((int) n);
    }

    /** @return {@code protocol_state}: CONNECT, EHLO, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, VRFY or ETRN */
    public Optional<String> protocolState() {
        return attribute("protocol_state");
    }

    /** @return {@code protocol_name}: SMTP or ESMTP */
    public Optional<String> protocolName() {
        return attribute("protocol_name");
    }

    /** @return {@code client_address}, the client's IP address as Postfix prints it */
    public Optional<String> clientAddress() {
        return attribute("client_address");
    }

    /** @return {@code client_port} (Postfix 3.0) */
    public OptionalInt clientPort() {
        return optionalInt("client_port");
    }

    /** @return {@code client_name}, the verified client host name; Postfix sends {@code unknown} when there is none */
    public Optional<String> clientName() {
        return attribute("client_name");
    }

    /** @return {@code reverse_client_name}, the unverified reverse lookup */
    public Optional<String> reverseClientName() {
        return attribute("reverse_client_name");
    }

    /** @return {@code server_address} (Postfix 3.2) */
    public Optional<String> serverAddress() {
        return attribute("server_address");
    }

    /** @return {@code server_port} (Postfix 3.2) */
    public OptionalInt serverPort() {
        return optionalInt("server_port");
    }

    /** @return {@code helo_name} */
    public Optional<String> heloName() {
        return attribute("helo_name");
    }

    /** @return {@code sender}, without angle brackets; Postfix sends it empty for the null sender {@code <>} */
    public Optional<String> sender() {
        return attribute("sender");
    }

    /** @return {@code recipient}, without angle brackets (at RCPT; at DATA only when there is one recipient) */
    public Optional<String> recipient() {
        return attribute("recipient");
    }

    /** @return {@code recipient_count}: the recipients accepted, non-zero only at DATA and END-OF-MESSAGE */
    public int recipientCount() {
        return (int) number("recipient_count");
    }

    /** @return {@code queue_id} */
    public Optional<String> queueId() {
        return attribute("queue_id");
    }

    /** @return {@code instance}, the same for every request about one message delivery */
    public Optional<String> instance() {
        return attribute("instance");
    }

    /** @return {@code size}: declared with SIZE= at MAIL, the actual size at END-OF-MESSAGE; empty when 0 */
    public OptionalLong size() {
        long n = number("size");
        return n == 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    /** @return {@code etrn_domain}, the argument of ETRN */
    public Optional<String> etrnDomain() {
        return attribute("etrn_domain");
    }

    /** @return {@code stress}: {@code yes} when Postfix is under stress */
    public Optional<String> stress() {
        return attribute("stress");
    }

    /** @return {@code sasl_method} */
    public Optional<String> saslMethod() {
        return attribute("sasl_method");
    }

    /** @return {@code sasl_username}: the login of a successful SASL authentication */
    public Optional<String> saslUsername() {
        return attribute("sasl_username");
    }

    /** @return {@code sasl_sender}: the sender given with MAIL FROM's AUTH= parameter */
    public Optional<String> saslSender() {
        return attribute("sasl_sender");
    }

    /** @return {@code ccert_subject}, xtext-decoded */
    public Optional<String> ccertSubject() {
        return attribute("ccert_subject");
    }

    /** @return {@code ccert_issuer}, xtext-decoded */
    public Optional<String> ccertIssuer() {
        return attribute("ccert_issuer");
    }

    /** @return {@code ccert_fingerprint} */
    public Optional<String> ccertFingerprint() {
        return attribute("ccert_fingerprint");
    }

    /** @return {@code ccert_pubkey_fingerprint} (Postfix 2.9) */
    public Optional<String> ccertPubkeyFingerprint() {
        return attribute("ccert_pubkey_fingerprint");
    }

    /** @return {@code encryption_protocol}, e.g. {@code TLSv1.3}; empty on a plaintext connection */
    public Optional<String> encryptionProtocol() {
        return attribute("encryption_protocol");
    }

    /** @return {@code encryption_cipher} */
    public Optional<String> encryptionCipher() {
        return attribute("encryption_cipher");
    }

    /** @return {@code encryption_keysize}; empty on a plaintext connection (Postfix sends 0) */
    public OptionalInt encryptionKeysize() {
        return optionalInt("encryption_keysize");
    }

    /** @return {@code tls_sni} (Postfix 3.12) */
    public Optional<String> tlsSni() {
        return attribute("tls_sni");
    }

    /** @return {@code policy_context} (Postfix 3.1) */
    public Optional<String> policyContext() {
        return attribute("policy_context");
    }

    /** @return {@code compatibility_level} (Postfix 3.8) */
    public Optional<String> compatibilityLevel() {
        return attribute("compatibility_level");
    }

    /** @return {@code mail_version} (Postfix 3.8) */
    public Optional<String> mailVersion() {
        return attribute("mail_version");
    }

    /**
     * The relay stage this request asks about: CONNECT to {@link Stage#CONNECT}, EHLO and HELO to
     * {@link Stage#HELO}, MAIL, RCPT, DATA (also used for BDAT), and END-OF-MESSAGE to {@link Stage#DATA}
     * ({@link #toRelayRequest()} passes the size only at END-OF-MESSAGE).
     * VRFY and ETRN (and any state a later Postfix adds) ask no relay question: empty.
     *
     * @return the stage, or empty when the state asks no relay question
     */
    public Optional<Stage> stage() {
        String s = value("protocol_state");
        if (s == null) {
            return Optional.empty();
        }
        switch (s.toUpperCase(Locale.ROOT)) {
            case "CONNECT":
                return Optional.of(Stage.CONNECT);
            case "EHLO":
            case "HELO":
                return Optional.of(Stage.HELO);
            case "MAIL":
                return Optional.of(Stage.MAIL);
            case "RCPT":
                return Optional.of(Stage.RCPT);
            case "DATA":
            case "END-OF-MESSAGE":
                return Optional.of(Stage.DATA);
            default:
                return Optional.empty();
        }
    }

    /**
     * Maps the request to a {@link RelayRequest}:
     * <ul>
     *   <li>the stage from {@link #stage()};</li>
     *   <li>{@code client_address} is the client (an IP literal; host names are refused, never resolved);
     *       {@code client_name} the verified host name unless it is {@code unknown};</li>
     *   <li>{@code helo_name} the HELO name; {@code sasl_username} the authenticated identity (Postfix sends it
     *       only after a successful AUTH); a non-empty {@code encryption_protocol} means TLS;</li>
     *   <li>{@code sender} the envelope sender; from MAIL on, an empty sender is the null sender {@code <>}
     *       (that is how Postfix sends it); {@code recipient} the recipient;</li>
     *   <li>{@code recipient_count} the recipients accepted so far; {@code size} the request's size: at MAIL and
     *       RCPT the one declared with SIZE= (charged by {@code Counted.BYTES} limits at MAIL), at END-OF-MESSAGE
     *       the size of the message received (charged by {@code Counted.MESSAGE_BYTES} limits). At the DATA
     *       state (the DATA command, before the content) Postfix sends only the declared size again: it is
     *       dropped there, so that a DATA-stage byte limit is not charged a size the client merely declared,
     *       and charged once more at END-OF-MESSAGE.</li>
     * </ul>
     *
     * @return the relay request, or empty when the state asks no relay question (VRFY, ETRN, unknown states)
     * @throws IllegalArgumentException if the request cannot be mapped: no {@code protocol_state}, no or no valid
     *     {@code client_address}, or a RCPT without a recipient; the message names the attribute
     */
    public Optional<RelayRequest> toRelayRequest() {
        String state = value("protocol_state");
        if (state == null) {
            throw new IllegalArgumentException("the protocol_state attribute is missing");
        }
        Optional<Stage> st = stage();
        if (st.isEmpty()) {
            return Optional.empty();
        }
        Stage stage = st.get();
        String client = value("client_address");
        if (client == null) {
            throw new IllegalArgumentException("the client_address attribute is missing");
        }
        RelayRequest.Builder b = RelayRequest.builder(stage);
        try {
            b.client(client);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("client_address is not an IP address: '" + client + "'", e);
        }
        String name = value("client_name");
        if (name != null && !name.equalsIgnoreCase("unknown")) {
            b.clientHostName(name);
        }
        heloName().ifPresent(b::helo);
        String login = value("sasl_username");
        if (login != null && !login.isBlank()) {
            b.authenticated(login);
        }
        b.tls(value("encryption_protocol") != null);
        String sender = value("sender");
        if (sender != null) {
            b.sender(path(sender));
        } else if (stage != Stage.CONNECT && stage != Stage.HELO) {
            b.sender("<>");
        }
        String recipient = value("recipient");
        if (recipient != null) {
            b.recipient(path(recipient));
        } else if (stage == Stage.RCPT) {
            throw new IllegalArgumentException("the recipient attribute is missing at protocol_state=" + state);
        }
        b.recipientCount(recipientCount());
        OptionalLong size = size();
        if (size.isPresent() && (stage != Stage.DATA || state.equalsIgnoreCase("END-OF-MESSAGE"))) {
            // the DATA state carries the declared size again: only END-OF-MESSAGE knows the real one
            b.declaredSize(size.getAsLong());
        }
        return Optional.of(b.build());
    }

    private static String path(String address) {
        return address.startsWith("<") && address.endsWith(">") ? address : "<" + address + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyRequest && ((PolicyRequest) o).attributes().equals(attributes());
    }

    @Override
    public int hashCode() {
        return attributes().hashCode();
    }

    @Override
    public String toString() {
        return "PolicyRequest" + attributes();
    }
}
