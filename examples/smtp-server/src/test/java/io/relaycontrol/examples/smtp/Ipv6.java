package io.relaycontrol.examples.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Whether this machine has an IPv6 loopback to bind. */
final class Ipv6 {

    private Ipv6() {
    }

    static boolean loopbackAvailable() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
