package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.EnvelopeAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Laws of the auth rules over generated requests (client, login, TLS, sender, recipient count, stage), checked
 * against a reference model written out in each property.
 */
class AuthRuleLawsTest {

    private static final List<String> CLIENTS = List.of("203.0.113.7", "192.168.1.20", "10.9.0.5", "2001:db8::7");
    private static final List<String> LOGINS = List.of("alice", "bob", "Alice", "mallory");
    private static final List<String> SENDERS = List.of("<>", "<alice@example.com>", "<Alice@example.com>",
            "<bob@example.com>", "<x@alice.example>", "<scan@example.com>", "<a%b@example.com>", "<garbage>",
            "<x@elsewhere.example>", "<alice@EXAMPLE.com.>");
    private static final Stage[] STAGES = {Stage.MAIL, Stage.RCPT, Stage.DATA};

    /**
     * The independent model of {@link #MAP}: for each login, the raw senders of {@link #SENDERS} it owns, worked out
     * by hand from the map's lines and the documented rules (domains compare canonically: lower case, no trailing
     * dot; local parts compare exactly; logins are exact; routed, invalid and null senders are owned by nobody).
     */
    private static final Map<String, Set<String>> OWNED_BY_HAND = Map.of(
            "alice", Set.of("<alice@example.com>", "<x@alice.example>", "<alice@EXAMPLE.com.>"),
            "bob", Set.of("<bob@example.com>"));

    private static final SenderLoginMap MAP = SenderLoginMap.parse(List.of(
            "alice: alice@example.com, @alice.example", "bob: bob@example.com"), "laws.map");
    private static final SenderLoginRule SENDER_LOGIN = SenderLoginRule.builder(MAP)
            .protectLocalSenders(Set.of("example.com", "alice.example")::contains, "local",
                    TestNetworks.clientIn("office", "192.168.0.0/16")).build();
    private static final AuthenticatedRelayRule AUTH = AuthenticatedRelayRule.builder()
            .onlyIdentities(Set.of("alice", "bob")).build();
    private static final AllowListedDevicesRule DEVICES = AllowListedDevicesRule.builder()
            .device("printer", TestNetworks.clientIn("printers", "10.9.0.0/24"), "scan@example.com").build();

    /** Generated requests: client, login or none, TLS, sender, recipient count, stage. */
    private static Gen<RelayRequest> requests() {
        return integers().between(0, CLIENTS.size() - 1).zip(integers().between(-1, LOGINS.size() - 1),
                booleans().all(), integers().between(0, SENDERS.size() - 1),
                (c, l, tls, s) -> new int[] {c, l, tls ? 1 : 0, s})
                .zip(integers().between(0, 3), integers().between(0, STAGES.length - 1), (a, n, st) -> {
                    Stage stage = STAGES[st];
                    RelayRequest.Builder b = RelayRequest.builder(stage).client(CLIENTS.get(a[0]))
                            .sender(SENDERS.get(a[3])).tls(a[2] == 1).recipientCount(n);
                    if (stage == Stage.RCPT) {
                        b.recipient("<friend@elsewhere.example>");
                    }
                    if (a[1] >= 0) {
                        b.authenticated(LOGINS.get(a[1]));
                    }
                    return b.build();
                });
    }

    @Test
    void senderLoginMapWhenEveryLoginAndSenderThenOwnsExactlyWhatTheHandModelSays() {
        for (String login : LOGINS) {
            for (String sender : SENDERS) {
                boolean expected = OWNED_BY_HAND.getOrDefault(login, Set.of()).contains(sender);
                assertThat(MAP.owns(login, EnvelopeAddress.parse(sender))).as("%s owns %s", login, sender)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void senderLoginRuleWhenAnyRequestThenNeverAllowsAndDeniesExactlyTheModel() {
        qt().forAll(requests()).checkAssert(r -> {
            Decision d = SENDER_LOGIN.decide(r);
            assertThat(d.verdict()).isNotEqualTo(Verdict.ALLOW);
            boolean expectDeny;
            if (r.isAuthenticated()) {
                expectDeny = !r.senderOrNull().isNullPath()
                        && !OWNED_BY_HAND.getOrDefault(r.authenticatedIdentity().orElseThrow(), Set.of())
                                .contains(r.senderOrNull().raw());
            } else {
                EnvelopeAddress s = r.senderOrNull();
                expectDeny = s.isMailbox() && Set.of("example.com", "alice.example").contains(s.domain())
                        && !r.clientAddress().getHostAddress().startsWith("192.168.");
            }
            assertThat(d.verdict()).as("%s -> %s", r, d)
                    .isEqualTo(expectDeny ? Verdict.DENY : Verdict.NO_OPINION);
        });
    }

    @Test
    void authenticatedRelayRuleWhenAnyRequestThenAllowsIffListedIdentityOverTls() {
        qt().forAll(requests()).check(r -> {
            boolean expected = r.isTls()
                    && r.authenticatedIdentity().filter(Set.of("alice", "bob")::contains).isPresent();
            Verdict v = AUTH.decide(r).verdict();
            return v == (expected ? Verdict.ALLOW : Verdict.NO_OPINION);
        });
    }

    @Test
    void devicesRuleWhenAnyRequestThenAllowsOnlyTheListedSenderFromItsNetworkWithoutAuth() {
        qt().forAll(requests()).check(r -> {
            boolean expected = !r.isAuthenticated() && r.clientAddress().getHostAddress().equals("10.9.0.5")
                    && r.senderOrNull().isMailbox() && !r.senderOrNull().isRouted()
                    && r.senderOrNull().canonical().equals("scan@example.com");
            Verdict v = DEVICES.decide(r).verdict();
            return v == (expected ? Verdict.ALLOW : Verdict.NO_OPINION);
        });
    }

    @Test
    void multiRecipientBounceWhenAnyRequestThenRefusesOnlyNullSenderWithSeveralRecipients() {
        qt().forAll(requests()).check(r -> {
            boolean many = r.stage() == Stage.RCPT ? r.recipientCount() >= 1
                    : r.stage() == Stage.DATA && r.recipientCount() > 1;
            boolean expected = r.senderOrNull().isNullPath() && many;
            Verdict v = NullSenderRules.multiRecipientBounce().decide(r).verdict();
            return v == (expected ? Verdict.DENY : Verdict.NO_OPINION);
        });
    }
}
