package io.relaycontrol.examples.james;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import java.nio.file.Path;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * {@link RelayControlHook} for a full James server, configured in {@code smtpserver.xml}: James creates it with
 * the no-argument constructor and calls {@link #init(Configuration)} with the handler's XML element, whose
 * {@code relayConfig} child names a properties file with relaycontrol's standard {@code relay.*} keys. The
 * policy is loaded with {@link ReloadingRelayPolicy#watch(Path, String)} and reloaded when the file (or a
 * list it includes) changes; {@link #destroy()} stops the watcher.
 *
 * <pre>{@code
 * <handler class="io.relaycontrol.examples.james.ConfiguredRelayControlHook">
 *   <relayConfig>/root/conf/relay.properties</relayConfig>
 * </handler>
 * }</pre>
 *
 * <p>Before {@code init}, every request is refused with {@code 451 4.3.0}. Thread-safe.
 *
 * @since 0.1.0
 */
public class ConfiguredRelayControlHook extends RelayControlHook {

    /** The configuration key naming the properties file. */
    public static final String RELAY_CONFIG = "relayConfig";

    private volatile ReloadingRelayPolicy policy;

    /** For James's handler loader; call {@link #init(Configuration)} before use. */
    public ConfiguredRelayControlHook() {
        super();
    }

    /**
     * Loads the policy from the file named by {@code relayConfig}.
     *
     * @param config the handler's configuration
     * @throws ConfigurationException if {@code relayConfig} is missing or the policy file is invalid (the
     *     message names the key, file and line)
     */
    @Override
    public void init(Configuration config) throws ConfigurationException {
        String file = config.getString(RELAY_CONFIG, null);
        if (file == null || file.isBlank()) {
            throw new ConfigurationException(getClass().getName() + ": <" + RELAY_CONFIG
                    + "> naming a relay properties file is required");
        }
        ReloadingRelayPolicy loaded;
        try {
            loaded = ReloadingRelayPolicy.watch(Path.of(file.strip()), "relay.");
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) { // ConfigException is an IllegalArgumentException
            throw new ConfigurationException(getClass().getName() + ": " + e.getMessage(), e);
        }
        ReloadingRelayPolicy old = policy;
        policy = loaded;
        setDecider(loaded);
        if (old != null) {
            old.close();
        }
    }

    /** Stops watching the policy file. */
    @Override
    public void destroy() {
        ReloadingRelayPolicy p = policy;
        if (p != null) {
            p.close();
        }
    }
}
