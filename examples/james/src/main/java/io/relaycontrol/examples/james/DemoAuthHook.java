package io.relaycontrol.examples.james;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * A demo {@link AuthHook} for AUTH PLAIN/LOGIN against a fixed map of accounts. protocols-smtp never records
 * the login after a successful AUTH; this hook does ({@code session.setUsername}), so that
 * {@link RelayControlHook} sees the authenticated identity. Unknown logins and wrong passwords are
 * declined (James answers {@code 535} when every auth hook declines). OIDC SASL is declined.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class DemoAuthHook implements AuthHook {

    private final Map<String, String> users;

    /**
     * @param users login to password
     * @throws NullPointerException if the map or an entry is null
     * @throws IllegalArgumentException if the map is empty or a login is blank
     */
    public DemoAuthHook(Map<String, String> users) {
        Objects.requireNonNull(users, "users");
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one user is required");
        }
        users.forEach((k, v) -> {
            if (Objects.requireNonNull(k, "login").isBlank()) {
                throw new IllegalArgumentException("login must not be blank");
            }
            Objects.requireNonNull(v, "password of " + k);
        });
        this.users = Map.copyOf(users);
    }

    /**
     * Checks the password; on success records the login on the session and answers {@code 235}.
     *
     * @param session the session
     * @param username the login given
     * @param password the password given
     * @return ok on success, declined otherwise
     */
    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String expected = users.get(username.asString());
        if (expected == null || password == null || !MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
            return HookResult.DECLINED;
        }
        session.setUsername(username);
        return HookResult.builder().hookReturnCode(HookReturnCode.ok())
                .smtpDescription("Authentication successful").build();
    }

    /**
     * OIDC SASL is not supported by this demo.
     *
     * @return declined
     */
    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration saslConfiguration, String initialResponse) {
        return HookResult.DECLINED;
    }
}
