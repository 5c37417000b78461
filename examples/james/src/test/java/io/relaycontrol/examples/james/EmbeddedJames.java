package io.relaycontrol.examples.james;

import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;

/** James's embeddable SMTP server (protocols-smtp + protocols-netty) with relaycontrol's hooks, on loopback. */
final class EmbeddedJames implements AutoCloseable {

    private final NettyServer server;

    EmbeddedJames(RelayControlHook relay, Map<String, String> users, String host) throws Exception {
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(new NoopMetricFactory());
        // index 0: the connect handler runs before the banner, and the RCPT hook before the default hooks
        chain.add(0, relay);
        chain.add(new DemoAuthHook(users));
        chain.wireExtensibleHandlers();
        SMTPConfigurationImpl config = new SMTPConfigurationImpl() {
            @Override
            public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
                return true;
            }
        };
        server = new NettyServer.Factory().protocol(new SMTPProtocol(chain, config)).build();
        server.setGracefulShutdown(false);
        server.setListenAddresses(new InetSocketAddress(host, 0));
        server.bind();
    }

    InetSocketAddress address() {
        return server.getListenAddresses().get(0);
    }

    @Override
    public void close() {
        server.unbind();
    }
}
