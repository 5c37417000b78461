package io.relaycontrol.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import org.apache.james.dnsservice.api.DNSService;

/** The trivial DNSService James's NetMatcher needs: IP literals only, never a lookup (all the benchmark's entries are literals). */
final class JamesDns implements DNSService {

    @Override
    public Collection<String> findMXRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        return List.of(getByName(host));
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (!host.isEmpty() && (Character.digit(host.charAt(0), 16) >= 0 || host.charAt(0) == ':')) {
            return InetAddress.getByName(host); // a literal: the JDK does not consult DNS
        }
        throw new UnknownHostException("the benchmark resolves no host names: " + host);
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return addr.getHostAddress();
    }
}
