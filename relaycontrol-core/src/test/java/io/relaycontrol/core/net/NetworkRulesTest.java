package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkRulesTest {

    private static final SmtpReply BLOCKED = SmtpReply.of(554, "5.7.1", "Client host blocked");

    @TempDir
    Path dir;

    private static RelayRequest from(String client) {
        return RelayRequest.builder(Stage.CONNECT).client(client).build();
    }

    @Test
    void decideWhenClientInAllowedNetworkThenAllowNamingEntry() {
        Rule rule = NetworkRules.allowClientsIn("mynetworks",
                NetworkSet.builder().add("192.168.0.0/16", "config mynetworks", "lan").build());
        Decision d = rule.decide(from("192.168.7.9"));
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("mynetworks");
        assertThat(d.reason()).isEqualTo("client 192.168.7.9 is in 192.168.0.0/16 from config mynetworks (lan)");
        assertThat(d.reply()).isEmpty();
        assertThat(d.details()).containsEntry("network", "192.168.0.0/16").containsEntry("source", "config mynetworks")
                .containsEntry("label", "lan").doesNotContainKey("line");
    }

    @Test
    void decideWhenClientOutsideThenNoOpinion() {
        Rule allow = NetworkRules.allowClientsIn("mynetworks", NetworkSet.of("192.168.0.0/16"));
        Rule deny = NetworkRules.denyClientsIn("drop", NetworkSet.of("203.0.113.0/24"), BLOCKED);
        Decision a = allow.decide(from("10.0.0.1"));
        Decision d = deny.decide(from("10.0.0.1"));
        assertThat(a.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(a.reason()).isEqualTo("client is not in the networks of mynetworks");
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reply()).isEmpty();
        assertThat(allow.decide(from("10.0.0.2"))).as("precomputed").isSameAs(a);
    }

    @Test
    void decideWhenClientInDeniedFileNetworkThenDenyWithReplyFileAndLine() throws IOException {
        Path f = dir.resolve("drop.txt");
        Files.writeString(f, "; DROP\n198.51.100.0/24 ; SBL7\n203.0.113.0/24 ; SBL123\n");
        Rule rule = NetworkRules.denyClientsIn("spamhaus-drop", ReloadableNetworkSet.load(f), BLOCKED);
        Decision d = rule.decide(from("203.0.113.7"));
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).contains(BLOCKED);
        assertThat(d.reason()).isEqualTo("client 203.0.113.7 is in 203.0.113.0/24 from " + f + " line 3 (SBL123)");
        assertThat(d.details()).containsEntry("line", "3").containsEntry("label", "SBL123");
        assertThat(d.explain()).contains("DENY [" + BLOCKED + "] by spamhaus-drop: client 203.0.113.7 is in 203.0.113.0/24");
    }

    @Test
    void decideWhenReloadedThenRuleSeesNewSet() throws IOException {
        Path f = dir.resolve("drop.txt");
        Files.writeString(f, "203.0.113.0/24\n");
        ReloadableNetworkSet sets = ReloadableNetworkSet.load(f);
        Rule rule = NetworkRules.denyClientsIn("drop", sets, BLOCKED);
        assertThat(rule.decide(from("198.51.100.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        Files.writeString(f, "198.51.100.0/24\n");
        assertThat(sets.reload().succeeded()).isTrue();
        assertThat(rule.decide(from("198.51.100.1")).verdict()).isEqualTo(Verdict.DENY);
        assertThat(rule.describe()).startsWith("drop: deny [" + BLOCKED + "] clients in NetworkSet{1 network: 198.51.100.0/24}");
    }

    @Test
    void decideWhenIpv4MappedClientThenMatchedAsIpv4() {
        Rule rule = NetworkRules.allowClientsIn("lan", NetworkSet.of("192.0.2.0/24"));
        assertThat(rule.decide(from("::ffff:192.0.2.5")).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenSupplierFailsThenTemporaryFailureNotException() {
        Supplier<NetworkSet> broken = () -> null;
        Decision d = NetworkRules.allowClientsIn("broken", broken).decide(from("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).isPresent();
        Decision n = NetworkRules.allowClientsIn("x", NetworkSet.of("10.0.0.0/8")).decide(null);
        assertThat(n.verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void clientInWhenClientInsideThenConditionHolds() {
        Condition c = NetworkRules.clientIn("client in trusted networks", NetworkSet.of("10.0.0.0/8", "!10.9.0.0/16"));
        assertThat(c.description()).isEqualTo("client in trusted networks");
        assertThat(c.test(from("10.1.1.1"))).isTrue();
        assertThat(c.test(from("10.9.1.1"))).isFalse();
        assertThat(c.test(from("2001:db8::1"))).isFalse();
        Condition s = NetworkRules.clientIn("client in drop", () -> NetworkSet.of("2001:db8::/32"));
        assertThat(s.test(from("2001:db8::1"))).isTrue();
    }

    @Test
    void allowClientsInWhenUsedInPolicyThenDecisiveChildNamesEntry() {
        Policy p = Policy.builder("relay")
                .rule(NetworkRules.denyClientsIn("drop", NetworkSet.of("203.0.113.0/24"), BLOCKED))
                .rule(NetworkRules.allowClientsIn("mynetworks", NetworkSet.of("127.0.0.0/8", "::1")))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        Decision allowed = p.decide(from("127.0.0.1"));
        assertThat(allowed.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(allowed.decisive().reason()).isEqualTo("client 127.0.0.1 is in 127.0.0.0/8 from code");
        assertThat(p.decide(from("203.0.113.9")).verdict()).isEqualTo(Verdict.DENY);
        // the policy's default refuses at RCPT; before a recipient it allows (Policy's stage-aware default)
        assertThat(p.decide(RelayRequest.builder(Stage.RCPT).client("198.51.100.1").sender("<a@example.org>")
                .recipient("<b@elsewhere.test>").build()).reply()).contains(SmtpReply.RELAY_ACCESS_DENIED);
        assertThat(p.decide(from("198.51.100.1")).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(p.describe()).contains("mynetworks: allow clients in NetworkSet{2 networks: 127.0.0.0/8, ::1/128}");
    }

    @Test
    void denyClientsInWhenReplyNotPermanentThenIllegalArgument() {
        assertThatThrownBy(() -> NetworkRules.denyClientsIn("drop", NetworkSet.empty(), SmtpReply.TEMPORARY_FAILURE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5xx");
        assertThatThrownBy(() -> NetworkRules.allowClientsIn(" ", NetworkSet.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> NetworkRules.allowClientsIn("x", (NetworkSet) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void decideWhenConcurrentThenSameAnswers() throws Exception {
        NetworkSet.Builder b = NetworkSet.builder();
        for (int i = 0; i < 1000; i++) {
            b.add("10." + (i % 250) + "." + (i / 250) + ".0/24");
        }
        Rule rule = NetworkRules.denyClientsIn("big", b.build(), BLOCKED);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    int denied = 0;
                    for (int i = 0; i < 2000; i++) {
                        Decision d = rule.decide(from("10." + (i % 250) + "." + (i % 8) + ".1"));
                        denied += d.verdict() == Verdict.DENY ? 1 : 0;
                    }
                    return denied;
                }));
            }
            for (Future<Integer> f : futures) {
                assertThat(f.get()).isEqualTo(1000); // third octet 0..3 of 0..7 are listed
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
