package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, mutation survivor: {@link NetworkRules#clientIn(String, Supplier)} could be replaced by "always true"
 * without a failing test. A reloadable trusted-networks condition that always holds is an open relay, so each
 * direction is checked here, against a supplier whose set changes and a real reloaded file.
 */
class NetworkRulesSupplierTest {

    @TempDir
    Path dir;

    private static RelayRequest from(String client) {
        return RelayRequest.builder(Stage.CONNECT).client(client).build();
    }

    /** A recipient request: a policy decides relaying at RCPT (before a recipient it allows by default). */
    private static RelayRequest rcptFrom(String client) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender("<a@elsewhere.test>")
                .recipient("<b@far.test>").build();
    }

    @Test
    void clientInSupplierWhenClientOutsideThenConditionDoesNotHold() {
        Condition c = NetworkRules.clientIn("client in trusted networks", () -> NetworkSet.of("10.0.0.0/8"));
        assertThat(c.description()).isEqualTo("client in trusted networks");
        assertThat(c.test(from("10.1.2.3"))).isTrue();
        assertThat(c.test(from("192.0.2.1"))).isFalse();
        assertThat(c.test(from("::ffff:10.1.2.3"))).isTrue();
        assertThat(c.test(from("2001:db8::1"))).isFalse();
        Condition empty = NetworkRules.clientIn("client in nothing", () -> NetworkSet.of());
        assertThat(empty.test(from("10.1.2.3"))).isFalse();
        assertThat(empty.test(from("::1"))).isFalse();
    }

    @Test
    void clientInSupplierWhenSetReplacedThenEachTestAsksTheCurrentSet() {
        AtomicReference<NetworkSet> current = new AtomicReference<>(NetworkSet.of("10.0.0.0/8"));
        AtomicInteger asked = new AtomicInteger();
        Condition c = NetworkRules.clientIn("client in trusted networks", () -> {
            asked.incrementAndGet();
            return current.get();
        });
        assertThat(c.test(from("10.1.2.3"))).isTrue();
        assertThat(c.test(from("192.0.2.1"))).isFalse();
        current.set(NetworkSet.of("192.0.2.0/24"));
        assertThat(c.test(from("10.1.2.3"))).isFalse();
        assertThat(c.test(from("192.0.2.1"))).isTrue();
        assertThat(asked.get()).isEqualTo(4);
    }

    @Test
    void clientInReloadableSetWhenFileEditedThenConditionFollowsTheReload() throws Exception {
        Path f = Files.writeString(dir.resolve("trusted.txt"), "10.0.0.0/8\n");
        ReloadableNetworkSet set = ReloadableNetworkSet.load(f);
        Condition c = NetworkRules.clientIn("client in trusted networks", set);
        assertThat(c.test(from("10.1.2.3"))).isTrue();
        assertThat(c.test(from("192.0.2.1"))).isFalse();
        Files.writeString(f, "192.0.2.0/24\n");
        assertThat(set.reload().succeeded()).isTrue();
        assertThat(c.test(from("10.1.2.3"))).isFalse();
        assertThat(c.test(from("192.0.2.1"))).isTrue();
    }

    @Test
    void clientInSupplierWhenUsedToAllowThenStrangersAreNotAllowed() {
        Supplier<NetworkSet> trusted = () -> NetworkSet.of("192.0.2.0/24");
        Policy p = Policy.builder("relay")
                .rule(Rules.when(NetworkRules.clientIn("client in trusted networks", trusted)).allow("trusted"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        assertThat(p.decide(rcptFrom("192.0.2.7")).verdict()).isEqualTo(Verdict.ALLOW);
        Decision stranger = p.decide(rcptFrom("198.51.100.7"));
        assertThat(stranger.verdict()).isEqualTo(Verdict.DENY);
        assertThat(stranger.reply()).contains(SmtpReply.RELAY_ACCESS_DENIED);
    }

    @Test
    void clientInSupplierWhenSupplierReturnsNullThenTemporaryFailureNeverAllow() {
        Policy p = Policy.builder("relay")
                .rule(Rules.when(NetworkRules.clientIn("client in trusted networks", () -> null)).allow("trusted"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        Decision d = p.decide(rcptFrom("192.0.2.7"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
    }
}
