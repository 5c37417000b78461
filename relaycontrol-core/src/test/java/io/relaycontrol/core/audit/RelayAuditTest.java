package io.relaycontrol.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The audit against broken policies: each kind of mistake is caught and named, and the report shows why. The
 * standard policy's own audit runs are in {@code config.StandardRelayPolicyAuditTest}.
 */
class RelayAuditTest {

    static final AuditPlan PLAN = AuditPlan.builder()
            .localDomains(DomainSet.of("example.com"))
            .relayDomains(DomainSet.of("backup.example.net"))
            .trustedNetworks(NetworkSet.of("192.0.2.0/24"))
            .authenticatedUser("alice", "alice@example.com")
            .build();

    /** Accepts every recipient: what nmap calls an open relay. */
    static final RelayDecider ACCEPTS_EVERYTHING = Rules.allow("open", "accepts everything");

    /** Broken policies under test still answer the stages before RCPT, as the standard policy does. */
    static final RelayDecider NO_RECIPIENT_YET = Rules.when(
            Conditions.stage(Stage.CONNECT, Stage.HELO, Stage.MAIL, Stage.DATA)).allow("no-recipient-yet");

    private static Set<String> ids(List<AuditResult> results) {
        return results.stream().map(r -> r.probe().id()).collect(Collectors.toSet());
    }

    @Test
    void auditWhenPolicyAcceptsEverythingThenAllSixteenNmapProbesAreWronglyAllowed() {
        AuditReport report = RelayAudit.of(ACCEPTS_EVERYTHING, PLAN).run();

        assertThat(report.isOpenRelay()).isTrue();
        assertThat(report.passed()).isFalse();
        assertThat(ids(report.wronglyAllowed()))
                .containsAll(IntStream.rangeClosed(1, 16).mapToObj(i -> "nmap-" + i).collect(Collectors.toList()))
                .contains("relay-plain", "maps-quote", "maps-localhost", "maps-unqualified", "percent@example.com",
                        "not-prefix@example.com", "homograph@example.com", "foreign-literal-v6");
        assertThat(report.wronglyRefused()).isEmpty();
        assertThat(report.verdict()).startsWith("OPEN RELAY: ");
        assertThat(report.describe())
                .contains("verdict: OPEN RELAY")
                .contains("[nmap-5] stranger 198.51.100.77: MAIL FROM:<antispam@[127.0.0.1]> "
                        + "RCPT TO:<relaytest%relay-audit.example@[127.0.0.1]> -> accepted at RCPT")
                .contains("ALLOW by open: accepts everything");
    }

    @Test
    void auditWhenPolicyRefusesEverythingThenLegitimateMailIsWronglyRefused() {
        RelayDecider closed = Rules.deny("closed", "refuses everything", SmtpReply.RELAY_ACCESS_DENIED);
        AuditReport report = RelayAudit.of(closed, PLAN).run();

        assertThat(report.isOpenRelay()).isFalse();
        assertThat(report.passed()).isFalse();
        assertThat(ids(report.wronglyRefused())).contains("postmaster", "postmaster-lower",
                "postmaster@example.com", "case@example.com", "postmaster@backup.example.net", "stage-connect",
                "stage-mail-null", "relay-plain");
        assertThat(report.verdict()).startsWith("not an open relay; ").contains("legitimate probe(s) wrongly refused");
    }

    @Test
    void auditWhenPolicyIgnoresSenderRoutingThenRoutingTricksAreWronglyAllowed() {
        // reads only the domain after the last '@': the percent hack and its relatives get through
        Condition naiveLocal = Condition.of("recipient domain is example.com (ignoring routing)",
                r -> r.recipient().map(a -> a.domain().equals("example.com")).orElse(false));
        Policy policy = Policy.builder("naive")
                .rule(NO_RECIPIENT_YET)
                .rule(Rules.when(naiveLocal).allow("local"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        AuditReport report = RelayAudit.of(policy, PLAN).run();

        assertThat(ids(report.wronglyAllowed())).contains("percent@example.com", "bang@example.com",
                "quoted-at@example.com", "nmap-6", "nmap-16")
                .doesNotContain("relay-plain", "nmap-2");
    }

    @Test
    void auditWhenPolicyMatchesDomainsBySuffixThenSuffixConfusionIsWronglyAllowed() {
        Condition suffix = Condition.of("recipient text ends with example.com",
                r -> r.recipient().map(a -> a.raw().toLowerCase(Locale.ROOT).replace(">", "").endsWith("example.com"))
                        .orElse(false));
        Policy policy = Policy.builder("suffix")
                .rule(NO_RECIPIENT_YET)
                .rule(Rules.when(suffix).allow("local"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        AuditReport report = RelayAudit.of(policy, PLAN).run();

        assertThat(ids(report.wronglyAllowed())).contains("not-prefix@example.com", "dash-prefix@example.com",
                "subdomain@example.com");
    }

    @Test
    void auditWhenPolicyLetsAuthenticatedClientsRelayWithoutTlsThenTheNoTlsContextIsCaught() {
        StandardRelayPolicy lax = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com"))
                .requireTlsForAuth(false).build();
        // the plan says TLS is required, the policy does not require it
        AuditPlan strict = AuditPlan.builderFrom(lax).authRequiresTls(true).authenticatedUser("bob", "bob@example.com")
                .build();
        AuditReport report = RelayAudit.of(lax, strict).run();

        assertThat(report.wronglyAllowed()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.context().name()).isEqualTo("authenticated bob without TLS"));
    }

    @Test
    void auditWhenDeciderThrowsOrReturnsNullThenItIsRecordedAsTemporaryFailure() {
        RelayDecider throwing = request -> {
            throw new IllegalStateException("backend down");
        };
        AuditReport report = RelayAudit.of(throwing, PLAN).run();
        assertThat(report.isOpenRelay()).isFalse();
        assertThat(report.accepted()).isZero();
        assertThat(report.results().get(0).decision().reply()).contains(SmtpReply.TEMPORARY_FAILURE);

        AuditReport nulls = RelayAudit.of(request -> null, PLAN).run();
        assertThat(nulls.accepted()).isZero();
        assertThat(nulls.results().get(0).decision().explain()).contains("returned null");
    }

    @Test
    void auditWhenDeciderAbstainsThenForeignProbesCountAsNotRefused() {
        RelayDecider abstains = request -> Decision.noOpinion("shrug", "no opinion");
        AuditReport report = RelayAudit.of(abstains, PLAN).run();
        assertThat(report.isOpenRelay()).isTrue();
        assertThat(report.wronglyAllowed().get(0).summary()).contains("not refused (no opinion)");
    }

    @Test
    void auditWhenSenderIsRefusedAtMailThenTheRecipientIsNeverAsked() {
        Policy mailOnly = Policy.builder("mail-refuser")
                .rule(Rules.when(Condition.of("stage is MAIL", r -> r.stage() == Stage.MAIL))
                        .then(Rules.deny("no-mail", "no senders", SmtpReply.of(550, "5.7.1", "no"))))
                .rule(Rules.allow("rest", "anything else"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        AuditReport report = RelayAudit.of(mailOnly, PLAN).run();
        assertThat(report.isOpenRelay()).isFalse();
        assertThat(report.results()).filteredOn(r -> r.probe().stage() == Stage.RCPT)
                .allSatisfy(r -> assertThat(r.answeredAt()).isEqualTo(Stage.MAIL));
    }

    @Test
    void reportWhenRenderedAsJsonThenItIsValidJsonWithTheCountsAndEscapedAddresses() {
        AuditReport report = RelayAudit.of(ACCEPTS_EVERYTHING, PLAN).run();
        String json = report.toJson();

        JsonCheck.validate(json);
        assertThat(json).startsWith("{\"target\":\"open\",\"verdict\":\"OPEN RELAY: ")
                .contains("\"openRelay\":true", "\"passed\":false", "\"tried\":" + report.tried(),
                        "\"recipient\":\"\\\"relaytest@relay-audit.example\\\"@[127.0.0.1]\"",
                        "\"explain\":\"ALLOW by open: accepts everything\"");
        assertThat(report.accepted() + report.refused()).isEqualTo(report.tried());
        assertThat(report.tried()).isEqualTo(report.probeForms() * report.contexts().size());
    }

    @Test
    void reportWhenNothingIsWrongThenDescribeSaysNotAnOpenRelay() {
        AuditReport empty = AuditReport.of("nothing", List.of());
        assertThat(empty.passed()).isTrue();
        assertThat(empty.describe()).startsWith("relay audit of nothing: 0 probes (0 forms in 0 contexts)")
                .contains("verdict: not an open relay; no legitimate mail refused");
        JsonCheck.validate(empty.toJson());
    }

    /** A strict JSON syntax check (RFC 8259) for the report's writer; no JSON library is on the test path. */
    static final class JsonCheck {
        private final String s;
        private int i;

        private JsonCheck(String s) {
            this.s = s;
        }

        static void validate(String json) {
            JsonCheck c = new JsonCheck(json);
            c.value();
            if (c.i != json.length()) {
                throw new AssertionError("trailing text at " + c.i);
            }
        }

        private void value() {
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                if (s.charAt(i) != '}') {
                    do {
                        string();
                        expect(':');
                        value();
                    } while (s.charAt(i) == ',' && ++i > 0);
                }
                expect('}');
            } else if (c == '[') {
                i++;
                if (s.charAt(i) != ']') {
                    do {
                        value();
                    } while (s.charAt(i) == ',' && ++i > 0);
                }
                expect(']');
            } else if (c == '"') {
                string();
            } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
                i += 4;
            } else if (s.startsWith("false", i)) {
                i += 5;
            } else {
                int start = i;
                while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                if (start == i) {
                    throw new AssertionError("unexpected '" + c + "' at " + i);
                }
            }
        }

        private void string() {
            expect('"');
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c < 0x20) {
                    throw new AssertionError("raw control character at " + (i - 1));
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') {
                        i += 4;
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw new AssertionError("bad escape \\" + e + " at " + i);
                    }
                }
            }
            i++;
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new AssertionError("expected '" + c + "' at " + i + ", found '" + s.charAt(i) + "'");
            }
            i++;
        }
    }
}
