package io.relaycontrol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionTest {

    private static final SmtpReply DENIED = SmtpReply.RELAY_ACCESS_DENIED;
    private static final SmtpReply LATER = SmtpReply.of(450, "4.7.1", "later");

    @Test
    void factoriesWhenValidThenCarryTheirParts() {
        Decision allow = Decision.allow("trusted", "client in trusted networks");
        assertThat(allow.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(allow.isAllowed()).isTrue();
        assertThat(allow.rule()).isEqualTo("trusted");
        assertThat(allow.reason()).isEqualTo("client in trusted networks");
        assertThat(allow.reply()).isEmpty();
        assertThat(allow.children()).isEmpty();
        assertThat(allow.details()).isEmpty();
        assertThat(allow.error()).isEmpty();

        Decision deny = Decision.deny("default", "no rule allowed it", DENIED);
        assertThat(deny.verdict()).isEqualTo(Verdict.DENY);
        assertThat(deny.reply()).contains(DENIED);

        Decision defer = Decision.defer("limit", "too many", LATER);
        assertThat(defer.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(defer.reply()).contains(LATER);

        Decision none = Decision.noOpinion("auth", "not authenticated");
        assertThat(none.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(none.reply()).isEmpty();
    }

    @Test
    void denyWhenReplyIsNot5xxThenRefused() {
        assertThatThrownBy(() -> Decision.deny("r", "why", LATER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5xx");
    }

    @Test
    void deferWhenReplyIsNot4xxThenRefused() {
        assertThatThrownBy(() -> Decision.defer("r", "why", DENIED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4xx");
    }

    @Test
    void buildWhenAllowCarriesARefusalOrNoOpinionCarriesAReplyThenRefused() {
        assertThatThrownBy(() -> Decision.builder(Verdict.ALLOW, "r", "why").reply(DENIED).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Decision.builder(Verdict.ALLOW, "r", "why").reply(SmtpReply.of(250, "2.1.5", "OK")).build()
                .reply()).isPresent();
        assertThatThrownBy(() -> Decision.builder(Verdict.NO_OPINION, "r", "why").reply(LATER).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.builder(Verdict.DENY, "r", "why").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factoriesWhenNameOrReasonMissingThenRefused() {
        assertThatThrownBy(() -> Decision.allow(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Decision.allow("r", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Decision.allow(" ", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.allow("r", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.builder(null, "r", "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Decision.failed("r", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void failedWhenRuleThrewThenTemporaryRefusalKeepsTheException() {
        IllegalStateException boom = new IllegalStateException("boom");
        Decision d = Decision.failed("lookup", boom);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).containsSame(boom);
        assertThat(d.reason()).contains("boom");
        assertThat(d.explain()).contains("java.lang.IllegalStateException");
    }

    @Test
    void childrenAndDetailsWhenBuiltThenUnmodifiableCopies() {
        Decision child = Decision.noOpinion("a", "nothing");
        Decision d = Decision.builder(Verdict.ALLOW, "p", "ok").child(child).detail("tokensLeft", 3).build();
        assertThat(d.children()).containsExactly(child);
        assertThat(d.details()).containsEntry("tokensLeft", "3");
        assertThatThrownBy(() -> d.children().add(child)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> d.details().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        Decision derived = d.toBuilder().detail("extra", "1").build();
        assertThat(derived.details()).containsKeys("tokensLeft", "extra");
        assertThat(d.details()).doesNotContainKey("extra");
    }

    @Test
    void explainWhenTreeThenOneIndentedLinePerDecision() {
        Decision leaf1 = Decision.noOpinion("blocked-networks", "198.51.100.7 is not in the blocked networks");
        Decision leaf2 = Decision.deny("default", "no rule allowed relay", DENIED);
        Decision top = Decision.builder(Verdict.DENY, "relay-policy", "no rule allowed relay").reply(DENIED)
                .children(List.of(leaf1, leaf2)).detail("client", "198.51.100.7").build();
        assertThat(top.explain()).isEqualTo(
                "DENY [554 5.7.1 Relay access denied] by relay-policy: no rule allowed relay {client=198.51.100.7}\n"
                        + "  NO_OPINION by blocked-networks: 198.51.100.7 is not in the blocked networks\n"
                        + "  DENY [554 5.7.1 Relay access denied] by default: no rule allowed relay");
        assertThat(top).hasToString("DENY [554 5.7.1 Relay access denied] by relay-policy: no rule allowed relay");
    }

    @Test
    void decisiveWhenNestedThenFollowsTheRecordedChildren() {
        Decision leaf = Decision.allow("trusted", "in 192.0.2.0/24");
        Decision mid = Decision.builder(Verdict.ALLOW, "inner", "in 192.0.2.0/24")
                .child(Decision.noOpinion("x", "n/a")).child(leaf).decisiveChild(leaf).build();
        Decision top = Decision.composite("policy", mid, List.of(mid));
        assertThat(top.decisive()).isSameAs(leaf);
        assertThat(top.decisivePath()).containsExactly(top, mid, leaf);
        assertThat(top.decisiveChild()).containsSame(mid);
        assertThat(leaf.decisive()).isSameAs(leaf);
        assertThat(leaf.decisiveChild()).isEmpty();
        assertThat(leaf.decisivePath()).containsExactly(leaf);
    }

    @Test
    void decisiveWhenTwoChildrenHaveTheVerdictThenTheRecordedOneNotTheLast() {
        Decision first = Decision.deny("first", "first refusal", SmtpReply.of(550, "5.7.1", "first"));
        Decision second = Decision.deny("second", "second refusal", DENIED);
        Decision any = Decision.composite("any", first, List.of(first, second));
        assertThat(any.decisive()).isSameAs(first);
        assertThat(any.reply()).isEqualTo(first.reply());
    }

    @Test
    void decisiveWhenOwnAnswerWithChildrenThenItself() {
        Decision child = Decision.allow("a", "allowed");
        Decision negated = Decision.builder(Verdict.DENY, "not", "negated: allowed").reply(DENIED).child(child).build();
        assertThat(negated.decisive()).isSameAs(negated);
        assertThat(negated.toBuilder().build().decisive().rule()).isEqualTo("not");
    }

    @Test
    void decisiveChildWhenNotAChildOrAnotherAnswerThenRefused() {
        Decision child = Decision.allow("a", "allowed");
        assertThatThrownBy(() -> Decision.builder(Verdict.ALLOW, "c", "allowed").decisiveChild(child).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of the children");
        assertThatThrownBy(() -> Decision.builder(Verdict.ALLOW, "c", "other reason").child(child)
                .decisiveChild(child).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verdict, reply and reason");
        assertThatThrownBy(() -> Decision.composite("c", child, List.of(Decision.allow("a", "allowed"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of the children");
        Decision linked = Decision.composite("c", child, List.of(child));
        assertThat(linked.toBuilder().ownAnswer().build().decisive().rule()).isEqualTo("c");
        assertThat(linked.toBuilder().build().decisive()).isSameAs(child);
    }

    @Test
    void compositeWhenPassingOnAMemberAnswerThenCopiesItsVerdictReasonAndReply() {
        Decision abstain = Decision.noOpinion("a", "nothing");
        Decision deny = Decision.deny("b", "blocked", DENIED);
        java.util.List<Decision> members = new java.util.ArrayList<>(List.of(abstain, deny));
        Decision c = Decision.composite("policy", deny, members);
        members.clear();
        assertThat(c.verdict()).isEqualTo(Verdict.DENY);
        assertThat(c.rule()).isEqualTo("policy");
        assertThat(c.reason()).isEqualTo("blocked");
        assertThat(c.reply()).contains(DENIED);
        assertThat(c.children()).containsExactly(abstain, deny);
        assertThat(c.decisive()).isSameAs(deny);
        assertThatThrownBy(() -> Decision.composite(" ", deny, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.composite("p", deny, java.util.Arrays.asList(deny, null)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void detailWhenSetTwiceOrManyThenLastValueWinsInInsertionOrder() {
        Decision.Builder b = Decision.builder(Verdict.NO_OPINION, "limit", "charged");
        for (int i = 0; i < 10; i++) {
            b.detail("k" + i, i);
        }
        b.detail("k3", java.time.Duration.ofSeconds(90));
        Decision d = b.build();
        assertThat(d.details()).hasSize(10).containsEntry("k3", "PT1M30S").containsEntry("k9", "9");
        assertThat(d.details().keySet()).startsWith("k0", "k1", "k2", "k3");
        assertThat(d.details()).isEqualTo(d.details()); // rendered on each reading, always the same
        assertThat(d.explain()).contains("k3=PT1M30S");
        assertThatThrownBy(() -> b.detail("x", null)).isInstanceOf(NullPointerException.class);
    }

    /** Renders key, tokensLeft and refillIn from fields, as a rate limit does; counts how often it is asked. */
    private static final class Counted implements Decision.Rendering {
        int asked;

        @Override
        public void details(java.util.function.BiConsumer<String, Object> detail) {
            asked++;
            detail.accept("key", "192.0.2.1");
            detail.accept("tokensLeft", 7L);
            detail.accept("refillIn", java.time.Duration.ofMinutes(20));
        }
    }

    @Test
    void withDetailsWhenReadThenTheSameAsDetailsAddedOneByOneAndRenderedOnEachReading() {
        Counted source = new Counted();
        Decision lazy = Decision.withDetails(Verdict.NO_OPINION, "limit", "charged 1 recipient", null, source);
        assertThat(source.asked).isZero(); // nothing rendered while deciding
        Decision eager = Decision.builder(Verdict.NO_OPINION, "limit", "charged 1 recipient").detail("key", "192.0.2.1")
                .detail("tokensLeft", 7L).detail("refillIn", java.time.Duration.ofMinutes(20)).build();
        assertThat(lazy.detail("tokensLeft")).contains("7");
        assertThat(lazy.detail("store")).isEmpty();
        assertThat(lazy.details()).isEqualTo(eager.details());
        assertThat(lazy.details().keySet()).containsExactly("key", "tokensLeft", "refillIn");
        assertThat(lazy.details()).isEqualTo(lazy.details()); // rendered again on each reading, the same
        assertThat(lazy.explain()).isEqualTo(eager.explain())
                .isEqualTo("NO_OPINION by limit: charged 1 recipient {key=192.0.2.1, tokensLeft=7, refillIn=PT20M}");
        assertThat(lazy.toString()).isEqualTo(eager.toString());
        int asked = source.asked;
        lazy.explain();
        assertThat(source.asked).isEqualTo(asked + 1); // no map is kept: each reading renders once
        assertThat(lazy.toBuilder().build().explain()).isEqualTo(eager.explain());
        assertThatThrownBy(() -> lazy.details().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void renderedWhenReadThenReasonAndDetailsComeFromTheRenderingAndCompositesPassThemOn() {
        Decision.Rendering blocked = new Decision.Rendering() {
            @Override
            public String reason() {
                return "client 198.51.100.7 is in 198.51.100.0/24";
            }

            @Override
            public void details(java.util.function.BiConsumer<String, Object> detail) {
                detail.accept("network", "198.51.100.0/24");
            }
        };
        Decision leaf = Decision.rendered(Verdict.DENY, "blocked", DENIED, blocked);
        Decision policy = Decision.composite("policy", leaf, List.of(leaf));
        assertThat(policy.reason()).isEqualTo("client 198.51.100.7 is in 198.51.100.0/24").isEqualTo(leaf.reason());
        assertThat(policy.decisive()).isSameAs(leaf);
        assertThat(policy.details()).isEmpty();
        assertThat(policy.explain()).isEqualTo("DENY [" + DENIED + "] by policy: client 198.51.100.7 is in 198.51.100.0/24"
                + "\n  DENY [" + DENIED + "] by blocked: client 198.51.100.7 is in 198.51.100.0/24"
                + " {network=198.51.100.0/24}");
        Decision derived = Decision.builder(Verdict.DENY, "policy", leaf.reason()).reply(DENIED).child(leaf)
                .decisiveChild(leaf).build();
        assertThat(derived.decisive()).isSameAs(leaf);
    }

    @Test
    void renderedWhenTheRenderingFailsOrGivesNothingThenReadingStillAnswers() {
        Decision.Rendering broken = detail -> {
            throw new IllegalStateException("boom");
        };
        Decision d = Decision.rendered(Verdict.DEFER, "dns", LATER, broken);
        assertThat(d.reason()).isEqualTo("(no reason rendered)");
        assertThat(d.details()).containsOnlyKeys("renderingFailed");
        assertThat(d.detail("renderingFailed")).hasValueSatisfying(v -> assertThat(v).contains("boom"));
        assertThat(d.explain()).contains("renderingFailed=java.lang.IllegalStateException: boom");
    }

    @Test
    void withDetailsWhenTheReplyDoesNotFitOrAPartIsMissingThenRefused() {
        Counted source = new Counted();
        assertThatThrownBy(() -> Decision.withDetails(Verdict.DENY, "r", "why", null, source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5xx");
        assertThatThrownBy(() -> Decision.withDetails(Verdict.NO_OPINION, "r", "why", LATER, source))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.withDetails(Verdict.NO_OPINION, " ", "why", null, source))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.withDetails(Verdict.NO_OPINION, "r", "", null, source))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.withDetails(Verdict.NO_OPINION, "r", "why", null, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Decision.rendered(Verdict.DEFER, "r", null, source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4xx");
    }

    @Test
    void compositeWithLastWhenBuiltThenTheSameAsTheListFormAndNothingCopied() {
        Decision a = Decision.noOpinion("a", "not the case");
        Decision b = Decision.noOpinion("b", "not listed");
        Decision leaf = Decision.deny("c", "listed", DENIED);
        List<Decision> before = List.of(a, b);
        Decision lean = Decision.composite("policy", leaf, before, leaf);
        Decision plain = Decision.composite("policy", leaf, List.of(a, b, leaf));
        assertThat(lean.children()).containsExactly(a, b, leaf).isEqualTo(plain.children());
        assertThat(lean.children().get(2)).isSameAs(leaf);
        assertThat(lean.explain()).isEqualTo(plain.explain());
        assertThat(lean.toString()).isEqualTo(plain.toString());
        assertThat(lean.decisive()).isSameAs(leaf);
        assertThat(lean.decisivePath()).containsExactly(lean, leaf);
        assertThat(lean.details()).isEmpty();
        assertThat(lean.detail("x")).isEmpty();
        assertThat(lean.error()).isEmpty();
        assertThat(lean.toBuilder().build().explain()).isEqualTo(plain.explain());
        assertThat(lean.toBuilder().build().children()).containsExactly(a, b, leaf);
        assertThatThrownBy(() -> lean.children().add(a)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> lean.children().get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> lean.children().get(-1)).isInstanceOf(IndexOutOfBoundsException.class);

        // the decisive decision may come before the last (a checked allow whose check agrees)
        Decision allow = Decision.allow("local", "local domain");
        Decision charged = Decision.noOpinion("limit", "charged 1 recipient");
        Decision checked = Decision.composite("checked", allow, List.of(allow), charged);
        assertThat(checked.children()).containsExactly(allow, charged);
        assertThat(checked.decisive()).isSameAs(allow);
        assertThat(checked.explain()).isEqualTo(Decision.composite("checked", allow, List.of(allow, charged)).explain());
        Decision nested = Decision.composite("relay", checked, List.of(), checked);
        assertThat(nested.decisive()).isSameAs(allow);
        assertThat(nested.children()).containsExactly(checked);

        java.util.ArrayList<Decision> mutable = new java.util.ArrayList<>(List.of(a));
        Decision copied = Decision.composite("p", leaf, mutable, leaf);
        mutable.add(b);
        assertThat(copied.children()).containsExactly(a, leaf);
        assertThatThrownBy(() -> Decision.composite("p", b, List.of(a), leaf))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.composite("p", leaf, List.of(a), null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Decision.composite(" ", leaf, List.of(a), leaf))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failedWhenBuiltWithDetailsThenKeepsTheErrorTheDetailsAndCopiesBoth() {
        IllegalStateException boom = new IllegalStateException("store down");
        Decision d = Decision.builder(Verdict.DEFER, "limit", "rate-limit store unavailable").reply(LATER)
                .detail("key", "192.0.2.1").detail("store", "failed").error(boom).build();
        assertThat(d.error()).containsSame(boom);
        assertThat(d.details()).containsExactly(java.util.Map.entry("key", "192.0.2.1"),
                java.util.Map.entry("store", "failed"));
        assertThat(d.detail("store")).contains("failed");
        assertThat(d.detail("mode")).isEmpty();
        assertThat(d.explain()).isEqualTo("DEFER [" + LATER + "] by limit: rate-limit store unavailable"
                + " {key=192.0.2.1, store=failed} (java.lang.IllegalStateException)");
        Decision copy = d.toBuilder().detail("mode", "DEFER").build();
        assertThat(copy.error()).containsSame(boom);
        assertThat(copy.details()).containsOnlyKeys("key", "store", "mode");
        Decision failed = Decision.failed("r", boom);
        assertThat(failed.error()).containsSame(boom);
        assertThat(failed.details()).isEmpty();
        assertThat(failed.explain()).endsWith("(java.lang.IllegalStateException)");
        assertThat(Decision.allow("a", "b").error()).isEmpty();
        assertThat(Decision.allow("a", "b").toBuilder().error(boom).build().error()).containsSame(boom);
    }

    @Test
    void builderWhenChildrenWithOrWithoutADecisiveOneAndDetailsAndErrorThenEachPartReadsBack() {
        IllegalStateException boom = new IllegalStateException("x");
        Decision allow = Decision.allow("a", "listed");
        Decision deny = Decision.deny("b", "blocked", DENIED);
        // own answer with children (a negation): own reason and reply, the children, details and error
        Decision negation = Decision.builder(Verdict.DENY, "not", "negated: listed").reply(DENIED).child(allow)
                .detail("k", 1).error(boom).build();
        assertThat(negation.verdict()).isEqualTo(Verdict.DENY);
        assertThat(negation.reply()).contains(DENIED);
        assertThat(negation.reason()).isEqualTo("negated: listed");
        assertThat(negation.children()).containsExactly(allow);
        assertThat(negation.decisiveChild()).isEmpty();
        assertThat(negation.decisive()).isSameAs(negation);
        assertThat(negation.details()).containsOnlyKeys("k");
        assertThat(negation.error()).containsSame(boom);
        assertThat(negation.explain()).isEqualTo("DENY [" + DENIED + "] by not: negated: listed {k=1}"
                + " (java.lang.IllegalStateException)\n  ALLOW by a: listed");
        // passing on a child's answer, with details: verdict, reply and reason are the child's
        Decision passed = Decision.builder(Verdict.DENY, "p", "blocked").reply(DENIED).child(allow).child(deny)
                .decisiveChild(deny).detail("store", "local").build();
        assertThat(passed.verdict()).isEqualTo(Verdict.DENY);
        assertThat(passed.reply()).contains(DENIED);
        assertThat(passed.reason()).isEqualTo("blocked");
        assertThat(passed.children()).containsExactly(allow, deny);
        assertThat(passed.decisive()).isSameAs(deny);
        assertThat(passed.details()).containsOnlyKeys("store");
        assertThat(passed.error()).isEmpty();
        Decision copy = passed.toBuilder().error(boom).build();
        assertThat(copy.error()).containsSame(boom);
        assertThat(copy.children()).containsExactly(allow, deny);
        assertThat(copy.decisive()).isSameAs(deny);
        assertThat(copy.details()).containsOnlyKeys("store");
        // an ALLOW with a 2xx reply is an ALLOW
        SmtpReply ok = SmtpReply.of(250, "2.1.5", "ok");
        Decision allowWithReply = Decision.builder(Verdict.ALLOW, "a", "fine").reply(ok).build();
        assertThat(allowWithReply.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(allowWithReply.isAllowed()).isTrue();
        assertThat(allowWithReply.reply()).contains(ok);
        assertThat(Decision.composite("p", allowWithReply, List.of(allowWithReply)).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(Decision.defer("d", "later", LATER).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(Decision.noOpinion("n", "none").children()).isEmpty();
    }
}
