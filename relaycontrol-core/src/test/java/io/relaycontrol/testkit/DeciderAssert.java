package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import io.relaycontrol.core.audit.AuditPlan;
import io.relaycontrol.core.audit.RelayAudit;
import org.assertj.core.api.AbstractAssert;

/**
 * Fluent assertions on a {@link RelayDecider} (a rule or a whole policy): each method decides the request and
 * returns a {@link DecisionAssert} on the result. Not thread-safe (one per assertion).
 *
 * @since 0.1.0
 */
public final class DeciderAssert extends AbstractAssert<DeciderAssert, RelayDecider> {

    DeciderAssert(RelayDecider actual) {
        super(actual, DeciderAssert.class);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be ALLOW
     */
    public DecisionAssert allows(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.ALLOW);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DENY (5xx)
     */
    public DecisionAssert denies(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.DENY);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DEFER (4xx)
     */
    public DecisionAssert defers(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.DEFER);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DENY or DEFER
     */
    public DecisionAssert refuses(RelayRequest request) {
        DecisionAssert a = decide(request);
        Decision d = a.actual();
        if (!d.verdict().isRefusal()) {
            failWithMessage("expected a refusal (DENY or DEFER) but was %s:%n%s", d.verdict(), d.explain());
        }
        return a;
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be NO_OPINION
     */
    public DecisionAssert hasNoOpinionOn(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.NO_OPINION);
    }

    /**
     * @param request the request
     * @return assertions on whatever the decider decides
     */
    public DecisionAssert decides(RelayRequest request) {
        return decide(request);
    }

    /** The client of {@link #acceptsStrangersBeforeRecipient()}: TEST-NET-2, in no list of the examples. */
    public static final String STRANGER_CLIENT = "198.51.100.77";
    /** The sender of {@link #acceptsStrangersBeforeRecipient()}: a domain that is nobody's local domain. */
    public static final String STRANGER_SENDER = "<someone@stranger.example>";

    /**
     * Asserts that the decider refuses nobody before a recipient exists: a stranger (an untrusted,
     * unauthenticated client, {@link #STRANGER_CLIENT}, without TLS) is not refused (neither DENY nor DEFER) at
     * CONNECT, HELO, MAIL with {@link #STRANGER_SENDER} or the null sender {@code <>}, and DATA. Servers ask at those
     * stages too; a policy that refuses there refuses inbound mail for its own users at the banner, which RCPT-only
     * tests never see. Relay protection belongs at RCPT.
     *
     * @return this
     * @since 0.2.0
     */
    public DeciderAssert acceptsStrangersBeforeRecipient() {
        return acceptsStrangersBeforeRecipient(STRANGER_CLIENT, STRANGER_SENDER);
    }

    /**
     * As {@link #acceptsStrangersBeforeRecipient()}, for a given client and sender (for a policy whose lists happen
     * to contain the default stranger).
     *
     * @param client the client's IP literal
     * @param sender the MAIL FROM path
     * @return this
     * @since 0.2.0
     */
    public DeciderAssert acceptsStrangersBeforeRecipient(String client, String sender) {
        isNotNull();
        List<RelayRequest> requests = List.of(
                Requests.connect(client).build(),
                Requests.helo(client, "client.stranger.example").build(),
                Requests.mail(client, sender).helo("client.stranger.example").build(),
                Requests.mail(client, "<>").helo("client.stranger.example").build(),
                Requests.data(client, sender, 1).helo("client.stranger.example").build());
        List<String> refused = new ArrayList<>();
        for (RelayRequest r : requests) {
            Decision d = actual.decide(r);
            if (d == null) {
                refused.add(r.stage() + ": returned null");
            } else if (d.verdict().isRefusal()) {
                refused.add(r.stage() + " " + r + ":\n" + d.explain().indent(2).stripTrailing());
            }
        }
        if (!refused.isEmpty()) {
            failWithMessage("expected a stranger to be accepted before a recipient exists (relay is decided at %s),"
                    + " but %d of %d requests were refused:%n%s", Stage.RCPT, refused.size(), requests.size(),
                    String.join("\n", refused));
        }
        return this;
    }

    /**
     * Runs the open-relay self-audit with the plan derived from the decider (a {@code StandardRelayPolicy}, or a
     * reloading or monitored policy running one) and fails with the report unless nothing was wrongly allowed
     * and nothing wrongly refused.
     *
     * @return this
     * @throws IllegalArgumentException if no plan can be derived from this decider (use
     *     {@link #passesRelayAudit(AuditPlan)})
     * @since 0.2.0
     */
    public DeciderAssert passesRelayAudit() {
        isNotNull();
        RelayAuditAssert.assertThat(RelayAudit.derivedFor(actual)).passes();
        return this;
    }

    /**
     * Runs the open-relay self-audit with the given plan and fails with the report unless nothing was wrongly
     * allowed and nothing wrongly refused.
     *
     * @param plan the probes and contexts, e.g. {@code AuditPlan.builder().localDomains(...).build()}
     * @return this
     * @since 0.2.0
     */
    public DeciderAssert passesRelayAudit(AuditPlan plan) {
        isNotNull();
        RelayAuditAssert.assertThat(RelayAudit.of(actual, plan)).passes();
        return this;
    }

    private DecisionAssert decide(RelayRequest request) {
        isNotNull();
        Decision d = actual.decide(request);
        if (d == null) {
            failWithMessage("decider returned null for %s", request);
        }
        return new DecisionAssert(d);
    }
}
