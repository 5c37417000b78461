package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.authRcpt;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthenticatedRelayRuleTest extends AuthRuleContract {

    private static final String FROM = "<alice@example.com>";
    private static final String TO = "<friend@elsewhere.example>";

    @Override
    Rule rule() {
        return AuthenticatedRelayRule.builder().onlyIdentities(Set.of("alice")).build();
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(authRcpt("alice", FROM, TO).build(), authRcpt("bob", FROM, TO).build(),
                authRcpt("alice", FROM, TO).tls(false).build(), rcpt(OUTSIDE, FROM, TO).build(),
                Requests.connect(OUTSIDE));
    }

    @Test
    void decideWhenAuthenticatedOverTlsThenAllow() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().build();
        Decision d = rule.decide(authRcpt("alice", FROM, TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("authenticated-relay");
        assertThat(d.reason()).isEqualTo("client authenticated with a verified identity over TLS");
        assertThat(d.reply()).isEmpty();
        assertThat(rule.requiresTls()).isTrue();
        assertThat(rule.onlyIdentities()).isEmpty();
    }

    @Test
    void decideWhenNotAuthenticatedThenNoOpinion() {
        Decision d = AuthenticatedRelayRule.builder().build().decide(rcpt(OUTSIDE, FROM, TO).tls(true).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("client is not authenticated");
    }

    @Test
    void decideWhenAuthenticatedWithoutTlsThenNoOpinionWithReasonByDefault() {
        Decision d = AuthenticatedRelayRule.builder().build().decide(authRcpt("alice", FROM, TO).tls(false).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).startsWith("authenticated without TLS; this rule requires TLS");
    }

    @Test
    void decideWhenTlsNotRequiredThenAllowWithoutTls() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().requireTls(false).build();
        Decision d = rule.decide(authRcpt("alice", FROM, TO).tls(false).build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.reason()).isEqualTo("client authenticated with a verified identity");
        assertThat(rule.describe()).contains("with or without TLS");
    }

    @Test
    void decideWhenIdentitiesListedThenOnlyThoseExactlyAllowed() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().onlyIdentities(Set.of("alice", "app1")).build();
        assertThat(rule.decide(authRcpt("alice", FROM, TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(rule.decide(authRcpt("app1", FROM, TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        for (String other : List.of("Alice", "alice2", "ali", "app", "bob")) {
            Decision d = rule.decide(authRcpt(other, FROM, TO).build());
            assertThat(d.verdict()).as(other).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.reason()).isEqualTo("authenticated identity is not one of the 2 listed identities");
        }
    }

    @Test
    void decideWhenCaseInsensitiveLoginsThenCaseIgnoredButStillExact() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().onlyIdentities(Set.of("Alice"))
                .caseInsensitiveLogins(true).build();
        assertThat(rule.decide(authRcpt("ALICE", FROM, TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(rule.decide(authRcpt("alicex", FROM, TO).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(rule.onlyIdentities()).contains(Set.of("alice"));
    }

    @Test
    void decideWhenIdentityListEmptyThenNeverAllows() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().onlyIdentities(Set.of()).build();
        assertThat(rule.decide(authRcpt("alice", FROM, TO).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenSenderIsNullPathThenStillDecidedOnIdentityOnly() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().build();
        assertThat(rule.decide(authRcpt("alice", "<>", TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(rule.decide(rcpt(OUTSIDE, "<>", TO).tls(true).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenSameOutcomeTwiceThenSamePrecomputedDecision() {
        AuthenticatedRelayRule rule = AuthenticatedRelayRule.builder().build();
        assertThat(rule.decide(authRcpt("a", FROM, TO).build())).isSameAs(rule.decide(authRcpt("b", FROM, TO).build()));
    }

    @Test
    void builderWhenOptionRepeatedOrBadThenFailsAtOnce() {
        assertThatThrownBy(() -> AuthenticatedRelayRule.builder().requireTls(true).requireTls(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("requireTls");
        assertThatThrownBy(() -> AuthenticatedRelayRule.builder().onlyIdentities(Set.of(" ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        Set<String> withNull = new HashSet<>();
        withNull.add(null);
        assertThatThrownBy(() -> AuthenticatedRelayRule.builder().onlyIdentities(withNull))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AuthenticatedRelayRule.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AuthenticatedRelayRule.builder().name("submission-auth").build().name()).isEqualTo("submission-auth");
    }
}
