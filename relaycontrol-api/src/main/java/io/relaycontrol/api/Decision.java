package io.relaycontrol.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The answer to a {@link RelayRequest}: a {@link Verdict}, the rule that decided, a human-readable reason,
 * the SMTP reply to send (for refusals), the decisions of the rules it was composed from, optional
 * key-value details (for example tokens left in a rate limit), and the exception if a rule failed.
 *
 * <p>Invariants, checked when built: a {@link Verdict#DENY} carries a 5xx reply, a {@link Verdict#DEFER}
 * a 4xx reply, an {@link Verdict#ALLOW} no reply or a 2xx reply, and {@link Verdict#NO_OPINION} no reply.
 * The rule name and reason are never blank. Instances are immutable and thread-safe; the children
 * and details are unmodifiable.
 *
 * <h2>Who decided</h2>
 * A composite decision (made by a combinator or a policy that passes on the answer of one of its members) keeps a
 * link to that member's decision, {@link #decisiveChild()}; verdict, reply and reason are the child's. A decision
 * that made its own answer (a leaf rule, a negation, a combinator whose members all abstained, a rule that failed)
 * has no such link. {@link #decisive()} follows the links down to the rule that really decided, so "who decided"
 * is a fact recorded when the decision was made, never a guess made afterwards by scanning the children.
 *
 * <h2>Rendered on demand</h2>
 * A rule on the hot path of every request (a rate limit that charges, a block list that refuses) should not
 * build strings that nobody reads. {@link #withDetails} takes the details from one {@link Rendering} object, and
 * {@link #rendered} the reason too; they are rendered only when {@link #details()}, {@link #detail(String)},
 * {@link #reason()}, {@link #explain()} or {@link #toString()} reads them, and read the same every time.
 *
 * @since 0.1.0
 */
public final class Decision {

    private final String rule;
    /**
     * The reply if the decision carries one (its class gives the verdict: 5xx DENY, 4xx DEFER, 2xx ALLOW, as the
     * invariants require), else the {@link Verdict}.
     */
    private final Object answer;
    /**
     * A decision with a {@link #decisiveChild}: its children (for one made with
     * {@link #composite(String, Decision, List, Decision)}, those before the last, which is then
     * {@link #detailSource}); its reason is the child's. A decision that made its own answer: the reason, a
     * {@code String} or the {@link Rendering} that renders it when read (its children, rare, are in an
     * {@link Extra}).
     */
    private final Object reasonOrChildren;
    /**
     * The details: an {@code Object[]} of keys and values, alternating, whose values are rendered with
     * {@code String.valueOf} when read; or the {@link Rendering} that gives them when read; or, for a decision
     * made with {@link #composite(String, Decision, List, Decision)}, which has no details, its last child; or, for
     * the rare decision that records an exception, or has children without a decisive one, an {@link Extra}.
     * With {@link #answer} and {@link #reasonOrChildren} this keeps a decision at 32 bytes (five references and
     * the header, compressed oops): it is allocated on the path of every request, three times per decision of a
     * policy with a rate limit.
     */
    private final Object detailSource;
    /** The child whose answer this decision passes on, or {@code null} if this decision made its own answer. */
    private final Decision decisiveChild;

    private static final Object[] NO_DETAILS = new Object[0];

    private Decision(Builder b) {
        Verdict verdict = Objects.requireNonNull(b.verdict, "verdict");
        this.rule = requireText(b.rule, "rule");
        String reason = requireText(b.reason, "reason");
        SmtpReply reply = b.reply;
        List<Decision> children = b.children == null ? List.of() : List.copyOf(b.children);
        Object[] pairs = b.detailCount == 0 ? NO_DETAILS : Arrays.copyOf(b.detailPairs, b.detailCount * 2);
        Decision dc = b.decisiveChild;
        if (dc != null) {
            if (!containsSame(children, dc)) {
                throw new IllegalArgumentException("the decisive child " + dc
                        + " is not one of the children of " + rule);
            }
            if (dc.verdict() != verdict || !Objects.equals(dc.replyOrNull(), reply) || !dc.reason().equals(reason)) {
                throw new IllegalArgumentException("a decision that passes on its child's answer has the child's"
                        + " verdict, reply and reason: child " + dc + ", decision " + verdict
                        + (reply == null ? "" : " [" + reply + "]") + " by " + rule + ": " + reason);
            }
        }
        checkReply(verdict, reply);
        this.answer = reply != null ? reply : verdict;
        this.decisiveChild = dc;
        if (dc != null) {
            this.reasonOrChildren = children;
            this.detailSource = b.error == null ? pairs : new Extra(null, pairs, b.error);
        } else {
            this.reasonOrChildren = reason;
            this.detailSource = b.error == null && children.isEmpty() ? pairs : new Extra(children, pairs, b.error);
        }
    }

    private static void checkReply(Verdict verdict, SmtpReply reply) {
        switch (verdict) {
            case DENY:
                if (reply == null || !reply.isPermanentFailure()) {
                    throw new IllegalArgumentException("a DENY decision needs a 5xx reply, was " + reply);
                }
                break;
            case DEFER:
                if (reply == null || !reply.isTransientFailure()) {
                    throw new IllegalArgumentException("a DEFER decision needs a 4xx reply, was " + reply);
                }
                break;
            case ALLOW:
                if (reply != null && !reply.isPositive()) {
                    throw new IllegalArgumentException("an ALLOW decision may only carry a 2xx reply, was " + reply);
                }
                break;
            case NO_OPINION:
                if (reply != null) {
                    throw new IllegalArgumentException("a NO_OPINION decision carries no reply, was " + reply);
                }
                break;
            default:
                throw new AssertionError(verdict);
        }
    }

    /** Identity search from the end: the decisive child is usually the last one asked. */
    private static boolean containsSame(List<Decision> list, Decision d) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i) == d) {
                return true;
            }
        }
        return false;
    }

    private static String requireText(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return s;
    }

    /**
     * An allow decision without a reply: the server answers as it normally would (250).
     *
     * @param rule the name of the deciding rule
     * @param reason why, for people
     * @return the decision
     */
    public static Decision allow(String rule, String reason) {
        return builder(Verdict.ALLOW, rule, reason).build();
    }

    /**
     * A permanent refusal.
     *
     * @param rule the name of the deciding rule
     * @param reason why, for people
     * @param reply a 5xx reply
     * @return the decision
     * @throws IllegalArgumentException if {@code reply} is not 5xx
     */
    public static Decision deny(String rule, String reason, SmtpReply reply) {
        return builder(Verdict.DENY, rule, reason).reply(reply).build();
    }

    /**
     * A temporary refusal.
     *
     * @param rule the name of the deciding rule
     * @param reason why, for people
     * @param reply a 4xx reply
     * @return the decision
     * @throws IllegalArgumentException if {@code reply} is not 4xx
     */
    public static Decision defer(String rule, String reason, SmtpReply reply) {
        return builder(Verdict.DEFER, rule, reason).reply(reply).build();
    }

    /**
     * No opinion: the next rule decides.
     *
     * @param rule the name of the abstaining rule
     * @param reason why it abstains, for people
     * @return the decision
     */
    public static Decision noOpinion(String rule, String reason) {
        return builder(Verdict.NO_OPINION, rule, reason).build();
    }

    /**
     * The decision for a rule that failed: a temporary refusal ({@link SmtpReply#TEMPORARY_FAILURE},
     * 451 4.3.0) that keeps the exception. Fail closed, but only temporarily.
     *
     * @param rule the name of the failed rule
     * @param error what it threw
     * @return the decision
     */
    public static Decision failed(String rule, Throwable error) {
        Objects.requireNonNull(error, "error");
        return builder(Verdict.DEFER, rule, "rule failed: " + error)
                .reply(SmtpReply.TEMPORARY_FAILURE).error(error).build();
    }

    /**
     * A decision of a composite rule (a combinator or policy) that passes on the answer of one of its members:
     * verdict, reason and reply are {@code decisive}'s, the rule is {@code rule}, and the children are the
     * member decisions that were made, in order ({@code decisive} among them). The decision records
     * {@code decisive} as its {@link #decisiveChild()}, which {@link #decisive()} follows.
     *
     * @param rule the name of the composite rule
     * @param decisive the member decision whose answer is passed on; must be one of {@code children} (the same
     *     instance)
     * @param children the member decisions made, in order; copied
     * @return the decision
     * @throws NullPointerException if any argument or child is null
     * @throws IllegalArgumentException if {@code decisive} is not one of {@code children}, or {@code rule} is blank
     */
    public static Decision composite(String rule, Decision decisive, List<Decision> children) {
        Objects.requireNonNull(decisive, "decisive");
        List<Decision> copy = List.copyOf(children);
        if (!containsSame(copy, decisive)) {
            throw new IllegalArgumentException("the decisive decision " + decisive + " is not one of the children");
        }
        return new Decision(decisive, requireText(rule, "rule"), copy);
    }

    private Decision(Decision decisive, String rule, List<Decision> children) {
        this(decisive, rule, children, NO_DETAILS);
    }

    /**
     * {@link #composite(String, Decision, List)} with the children given as the ones before the last, and the
     * last: the children are {@code before} followed by {@code last}. A combinator that knows most of its
     * children in advance (a first-decisive combinator whose members usually abstain with the same decision
     * every time) passes the same unmodifiable list of them with every decision, and the decision copies
     * nothing: {@code before} is kept as {@link List#copyOf} gives it, which is the list itself when it came
     * from {@code List.of} or {@code List.copyOf}. {@link #children()} then gives a new unmodifiable view of
     * the two on every call, equal to the list {@code composite(rule, decisive, before + last)} would keep;
     * {@link #explain()} reads the same.
     *
     * @param rule the name of the composite rule
     * @param decisive the member decision whose answer is passed on; one of {@code before} or {@code last} (the
     *     same instance)
     * @param before the member decisions made before the last one, in order; copied unless unmodifiable
     * @param last the last member decision made
     * @return the decision
     * @throws NullPointerException if any argument or child is null
     * @throws IllegalArgumentException if {@code decisive} is neither {@code last} nor one of {@code before}, or
     *     {@code rule} is blank
     * @since 0.2.0
     */
    public static Decision composite(String rule, Decision decisive, List<Decision> before, Decision last) {
        Objects.requireNonNull(decisive, "decisive");
        Objects.requireNonNull(last, "last");
        List<Decision> copy = List.copyOf(before);
        if (decisive != last && !containsSame(copy, decisive)) {
            throw new IllegalArgumentException("the decisive decision " + decisive + " is not one of the children");
        }
        return new Decision(decisive, requireText(rule, "rule"), copy, last);
    }

    private Decision(Decision decisive, String rule, List<Decision> children, Object detailSource) {
        this.rule = rule;
        this.answer = decisive.answer;
        this.reasonOrChildren = children;
        this.detailSource = detailSource;
        this.decisiveChild = decisive;
    }

    /**
     * What few decisions have: the children of one without a decisive child (a negation, a combinator whose
     * members all abstained), or {@code null} when the children are in {@link #reasonOrChildren}; the details
     * ({@code Object[]} pairs); the exception of a failed rule, or {@code null}. Immutable.
     */
    private static final class Extra {
        final List<Decision> children;
        final Object[] details;
        final Throwable error;

        Extra(List<Decision> children, Object[] details, Throwable error) {
            this.children = children;
            this.details = details;
            this.error = error;
        }
    }

    /**
     * The children of a decision made with {@link #composite(String, Decision, List, Decision)}: the list
     * before the last, then the last; unmodifiable.
     */
    private static final class Appended extends java.util.AbstractList<Decision> implements java.util.RandomAccess {
        private final List<Decision> before;
        private final Decision last;

        Appended(List<Decision> before, Decision last) {
            this.before = before;
            this.last = last;
        }

        @Override
        public Decision get(int index) {
            int n = before.size();
            if (index == n) {
                return last;
            }
            Objects.checkIndex(index, n + 1);
            return before.get(index);
        }

        @Override
        public int size() {
            return before.size() + 1;
        }
    }

    /** For {@link #withDetails} and {@link #rendered}: a leaf that made its own answer, nothing copied. */
    private Decision(Verdict verdict, String rule, Object reason, SmtpReply reply, Rendering details) {
        this.rule = rule;
        this.answer = reply != null ? reply : verdict;
        this.reasonOrChildren = reason;
        this.detailSource = details;
        this.decisiveChild = null;
    }

    /**
     * The reason and details of a decision, rendered only when someone reads them ({@link #withDetails},
     * {@link #rendered}). An implementation holds the few values the rule found (a key, a number of tokens) and
     * renders them on demand; it must be immutable, so that every reading gives the same text, and must not
     * throw (a rendering that throws shows as a detail {@code renderingFailed}; it never reaches the caller of
     * a reading method).
     *
     * @since 0.2.0
     */
    public interface Rendering {

        /**
         * The reason, for a decision made with {@link #rendered}; a decision made with {@link #withDetails}
         * never asks.
         *
         * @return the reason, not blank; the default returns {@code null}, which reads as
         *     {@code "(no reason rendered)"}
         */
        default String reason() {
            return null;
        }

        /**
         * Gives every detail, in order, to {@code detail}: a name and an immutable value (rendered with
         * {@link String#valueOf(Object)}, as {@link Builder#detail} does).
         *
         * @param detail receives each detail; names must be distinct
         */
        void details(BiConsumer<String, Object> detail);
    }

    /**
     * A decision that made its own answer, with a fixed reason and details rendered on demand from one object:
     * the hot path of a rule that reports details (a rate limit's key, tokens left and refill time) builds no
     * string and no map. {@link #details()} reads the same as if each detail had been added with
     * {@link Builder#detail}.
     *
     * @param verdict the verdict
     * @param rule the name of the deciding rule
     * @param reason why, for people
     * @param reply the reply: 5xx for DENY, 4xx for DEFER, {@code null} or 2xx for ALLOW, {@code null} for NO_OPINION
     * @param details renders the details when they are read
     * @return the decision
     * @throws NullPointerException if {@code verdict}, {@code rule}, {@code reason} or {@code details} is null
     * @throws IllegalArgumentException if {@code rule} or {@code reason} is blank, or the reply does not fit
     *     the verdict
     * @since 0.2.0
     */
    public static Decision withDetails(Verdict verdict, String rule, String reason, SmtpReply reply,
            Rendering details) {
        Objects.requireNonNull(details, "details");
        checkReply(Objects.requireNonNull(verdict, "verdict"), reply);
        return new Decision(verdict, requireText(rule, "rule"), requireText(reason, "reason"), reply, details);
    }

    /**
     * A decision that made its own answer, whose reason and details are both rendered on demand by
     * {@code rendering} (a block list's refusal names the matching entry, which is looked up only when read).
     *
     * @param verdict the verdict
     * @param rule the name of the deciding rule
     * @param reply the reply: 5xx for DENY, 4xx for DEFER, {@code null} or 2xx for ALLOW, {@code null} for NO_OPINION
     * @param rendering renders the reason ({@link Rendering#reason()}) and the details when they are read
     * @return the decision
     * @throws NullPointerException if {@code verdict}, {@code rule} or {@code rendering} is null
     * @throws IllegalArgumentException if {@code rule} is blank or the reply does not fit the verdict
     * @since 0.2.0
     */
    public static Decision rendered(Verdict verdict, String rule, SmtpReply reply, Rendering rendering) {
        Objects.requireNonNull(rendering, "rendering");
        checkReply(Objects.requireNonNull(verdict, "verdict"), reply);
        return new Decision(verdict, requireText(rule, "rule"), rendering, reply, rendering);
    }

    /**
     * Starts a decision with every field.
     *
     * @param verdict the verdict
     * @param rule the name of the deciding rule
     * @param reason why, for people
     * @return a builder; builders are not thread-safe
     */
    public static Builder builder(Verdict verdict, String rule, String reason) {
        return new Builder(verdict, rule, reason);
    }

    /** @return a builder initialised with this decision's fields, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(verdict(), rule, reason());
        b.reply = replyOrNull();
        List<Decision> cs = children();
        if (!cs.isEmpty()) {
            b.children = new ArrayList<>(cs);
        }
        Object source = detailSource;
        if (source instanceof Extra) {
            b.error = ((Extra) source).error;
            source = ((Extra) source).details;
        }
        if (source instanceof Decision) {
            // composite(rule, decisive, before, last): no details
        } else if (source instanceof Rendering) {
            details().forEach(b::detail); // rendered: the copy needs no rendering of its own
        } else {
            Object[] pairs = (Object[]) source;
            for (int i = 0; i < pairs.length; i += 2) {
                b.detail((String) pairs[i], pairs[i + 1]);
            }
        }
        b.decisiveChild = decisiveChild;
        return b;
    }

    /** @return the verdict */
    public Verdict verdict() {
        Object a = answer;
        if (a instanceof Verdict) {
            return (Verdict) a;
        }
        SmtpReply r = (SmtpReply) a;
        return r.isPermanentFailure() ? Verdict.DENY : r.isTransientFailure() ? Verdict.DEFER : Verdict.ALLOW;
    }

    private SmtpReply replyOrNull() {
        Object a = answer;
        return a instanceof SmtpReply ? (SmtpReply) a : null;
    }

    /** @return the name of the rule that made this decision */
    public String rule() {
        return rule;
    }

    /** @return why, for people (rendered when read if the decision was made with {@link #rendered}) */
    public String reason() {
        Object r = decisive().reasonOrChildren; // a decision that passes on its child's answer has its reason
        if (r instanceof String) {
            return (String) r;
        }
        String text;
        try {
            text = ((Rendering) r).reason();
        } catch (RuntimeException e) {
            return "(reason could not be rendered: " + e + ")";
        }
        return text == null || text.isBlank() ? "(no reason rendered)" : text;
    }

    /** @return the SMTP reply to send; present for DENY and DEFER, and for ALLOW only if a rule chose one */
    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(replyOrNull());
    }

    /** @return the decisions this one was composed from, in the order they were made; unmodifiable */
    @SuppressWarnings("unchecked")
    public List<Decision> children() {
        Object source = detailSource;
        if (decisiveChild != null) {
            List<Decision> cs = (List<Decision>) reasonOrChildren;
            return source instanceof Decision ? new Appended(cs, (Decision) source) : cs;
        }
        return source instanceof Extra && ((Extra) source).children != null ? ((Extra) source).children : List.of();
    }

    /**
     * The details, rendered when read: a decision keeps no map, so each call renders them again (from a
     * {@link Rendering}, or from the values given to {@link Builder#detail}) and gives an equal map.
     *
     * @return extra facts for people and logs (e.g. {@code tokensLeft}), in insertion order; unmodifiable
     */
    public Map<String, String> details() {
        Object source = detailSource instanceof Extra ? ((Extra) detailSource).details : detailSource;
        if (source instanceof Decision || source == NO_DETAILS) {
            return Map.of(); // composite(rule, decisive, before, last), or none
        }
        Map<String, String> m = new LinkedHashMap<>();
        if (source instanceof Rendering) {
            try {
                ((Rendering) source).details((k, v) -> m.put(k, String.valueOf(v)));
            } catch (RuntimeException e) {
                m.put("renderingFailed", String.valueOf(e));
            }
        } else {
            Object[] pairs = (Object[]) source;
            for (int i = 0; i < pairs.length; i += 2) {
                m.put((String) pairs[i], String.valueOf(pairs[i + 1]));
            }
        }
        return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(m);
    }

    /**
     * One detail, without rendering the others when they are rendered on demand (for metrics that look for one
     * detail on every decision).
     *
     * @param name the detail's name
     * @return its value as {@link #details()} gives it, or empty
     * @throws NullPointerException if {@code name} is null
     * @since 0.2.0
     */
    public Optional<String> detail(String name) {
        Objects.requireNonNull(name, "name");
        Object source = detailSource instanceof Extra ? ((Extra) detailSource).details : detailSource;
        if (source instanceof Rendering) {
            Object[] found = new Object[1];
            try {
                ((Rendering) source).details((k, v) -> {
                    if (found[0] == null && k.equals(name)) {
                        found[0] = v;
                    }
                });
            } catch (RuntimeException e) {
                return Optional.ofNullable(details().get(name));
            }
            return found[0] == null ? Optional.empty() : Optional.of(String.valueOf(found[0]));
        }
        if (source instanceof Decision) {
            return Optional.empty();
        }
        Object[] pairs = (Object[]) source;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return Optional.of(String.valueOf(pairs[i + 1]));
            }
        }
        return Optional.empty();
    }

    /** @return the exception of a failed rule, if this decision (not a child) records one */
    public Optional<Throwable> error() {
        return detailSource instanceof Extra ? Optional.ofNullable(((Extra) detailSource).error) : Optional.empty();
    }

    /** @return {@code true} if the verdict is {@link Verdict#ALLOW} */
    public boolean isAllowed() {
        return verdict() == Verdict.ALLOW;
    }

    /**
     * The child whose answer this decision passes on, as recorded when it was made (by
     * {@link #composite(String, Decision, List)} or {@link Builder#decisiveChild(Decision)}).
     *
     * @return the child, or empty if this decision made its own answer
     * @since 0.2.0
     */
    public Optional<Decision> decisiveChild() {
        return Optional.ofNullable(decisiveChild);
    }

    /**
     * The rule that really decided: follows {@link #decisiveChild()} down through the combinators and policies
     * that passed its answer on. For a decision that made its own answer, this decision itself. The result has
     * this decision's verdict, reply and reason.
     *
     * <p>Before 0.2.0 this scanned the children for the last one with the same verdict, which named the wrong rule
     * when several members gave that verdict (an any-of passes on the first refusal).
     *
     * @return the deciding leaf, never {@code null}
     */
    public Decision decisive() {
        Decision d = this;
        while (d.decisiveChild != null) {
            d = d.decisiveChild;
        }
        return d;
    }

    /**
     * The chain of decisions from this one down to {@link #decisive()}, following {@link #decisiveChild()}:
     * for a policy's decision passed on from a combinator's member, {@code [policy, combinator, member]}.
     *
     * @return the chain, this decision first and the deciding leaf last; unmodifiable, never empty
     * @since 0.2.0
     */
    public List<Decision> decisivePath() {
        List<Decision> path = new ArrayList<>(4);
        for (Decision d = this; d != null; d = d.decisiveChild) {
            path.add(d);
        }
        return Collections.unmodifiableList(path);
    }

    /**
     * Renders this decision and its children as an indented tree, one decision a line, for logs and people:
     * <pre>
     * DENY [554 5.7.1 Relay access denied] by relay-policy: no rule allowed relay for this recipient
     *   NO_OPINION by blocked-networks: 198.51.100.7 is not in the blocked networks
     *   DENY [554 5.7.1 Relay access denied] by default: ...
     * </pre>
     *
     * @return the explanation, lines separated by {@code \n}, no trailing newline
     */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        explain(sb, 0);
        return sb.toString();
    }

    private void explain(StringBuilder sb, int depth) {
        if (depth > 0) {
            sb.append('\n');
        }
        sb.append("  ".repeat(depth)).append(verdict());
        SmtpReply reply = replyOrNull();
        if (reply != null) {
            sb.append(" [").append(reply).append(']');
        }
        sb.append(" by ").append(rule).append(": ").append(reason());
        Map<String, String> d = details();
        if (!d.isEmpty()) {
            sb.append(' ').append(d);
        }
        Throwable error = detailSource instanceof Extra ? ((Extra) detailSource).error : null;
        if (error != null) {
            sb.append(" (").append(error.getClass().getName()).append(')');
        }
        for (Decision c : children()) {
            c.explain(sb, depth + 1);
        }
    }

    /** @return one line: verdict, reply, rule and reason */
    @Override
    public String toString() {
        SmtpReply reply = replyOrNull();
        return verdict() + (reply == null ? "" : " [" + reply + "]") + " by " + rule + ": " + reason();
    }

    /**
     * Builds a {@link Decision}. Not thread-safe. {@link #build()} validates and copies.
     */
    public static final class Builder {
        private final Verdict verdict;
        private final String rule;
        private final String reason;
        private SmtpReply reply;
        private List<Decision> children;
        private Object[] detailPairs;
        private int detailCount;
        private Throwable error;
        private Decision decisiveChild;

        private Builder(Verdict verdict, String rule, String reason) {
            this.verdict = Objects.requireNonNull(verdict, "verdict");
            this.rule = rule;
            this.reason = reason;
        }

        /**
         * @param reply the reply to send
         * @return this builder
         */
        public Builder reply(SmtpReply reply) {
            this.reply = Objects.requireNonNull(reply, "reply");
            return this;
        }

        /**
         * @param child a decision this one was composed from
         * @return this builder
         */
        public Builder child(Decision child) {
            if (children == null) {
                children = new ArrayList<>();
            }
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        /**
         * @param children decisions this one was composed from, in order
         * @return this builder
         */
        public Builder children(List<Decision> children) {
            for (Decision c : children) {
                child(c);
            }
            return this;
        }

        /**
         * Adds a detail, or replaces the value of a detail with the same name. The value is rendered with
         * {@link String#valueOf(Object)} whenever {@link Decision#details()} is read, so it must be immutable
         * (a number, a {@code Duration}, a string, an enum): rendering on demand keeps the hot path of a rule that
         * reports details (a rate limit's tokens left) free of string building.
         *
         * @param key a detail's name
         * @param value its value, immutable
         * @return this builder
         */
        public Builder detail(String key, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < detailCount; i++) {
                if (detailPairs[2 * i].equals(key)) {
                    detailPairs[2 * i + 1] = value;
                    return this;
                }
            }
            if (detailPairs == null) {
                detailPairs = new Object[6];
            } else if (detailPairs.length == detailCount * 2) {
                detailPairs = Arrays.copyOf(detailPairs, detailPairs.length * 2);
            }
            detailPairs[2 * detailCount] = key;
            detailPairs[2 * detailCount + 1] = value;
            detailCount++;
            return this;
        }

        /**
         * @param error the exception of a failed rule
         * @return this builder
         */
        public Builder error(Throwable error) {
            this.error = Objects.requireNonNull(error, "error");
            return this;
        }

        /**
         * Records that this decision passes on the answer of one of its children: {@link Decision#decisive()}
         * follows the link. The child must also be added with {@link #child} or {@link #children} (the same
         * instance), and this decision must have its verdict, reply and reason; {@link #build()} checks both.
         *
         * @param child the child whose answer is passed on
         * @return this builder
         * @since 0.2.0
         */
        public Builder decisiveChild(Decision child) {
            this.decisiveChild = Objects.requireNonNull(child, "child");
            return this;
        }

        /**
         * Records that this decision makes its own answer (clears a {@link #decisiveChild(Decision)} link, for
         * example one copied by {@link Decision#toBuilder()}).
         *
         * @return this builder
         * @since 0.2.0
         */
        public Builder ownAnswer() {
            this.decisiveChild = null;
            return this;
        }

        /**
         * @return the decision
         * @throws IllegalArgumentException if the reply does not fit the verdict, or rule or reason is blank, or a
         *     {@linkplain #decisiveChild(Decision) decisive child} is not among the children or has another
         *     verdict, reply or reason
         * @throws NullPointerException if rule or reason is null
         */
        public Decision build() {
            return new Decision(this);
        }
    }
}
