package io.relaycontrol.core.rules;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A top-level relay policy: rules asked in order, the first decisive answer wins (Postfix restriction-list
 * semantics, see {@link Rules}), and a <em>mandatory</em> default for when every rule abstains. There is no
 * implicit accept: a policy cannot be built without saying what happens when no rule has an opinion.
 *
 * <pre>{@code
 * Policy policy = Policy.builder("relay")
 *         .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
 *         .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
 *         .build();
 * }</pre>
 *
 * <h2>Stages: what a policy answers before a recipient exists</h2>
 * Servers ask a policy at every stage (CONNECT, HELO, MAIL, RCPT, DATA), but relaying is about recipients: only a
 * {@link Stage#RCPT} request names one. A policy written for recipients ("allow local domains, allow
 * authenticated users, deny the rest") has no rule with an opinion at CONNECT or MAIL, and a default applied there
 * would refuse every stranger at the banner, including those sending mail to local users. So the default given
 * with {@link Builder#otherwiseDeny otherwiseDeny}/{@link Builder#otherwise otherwise} applies at {@link Stage#RCPT}
 * only; at the other stages, when every rule abstains, the policy answers {@link #DEFAULT_BEFORE_RECIPIENT}: ALLOW
 * by {@code default}, reason "no rule refused; relay is decided per recipient at RCPT". A rule that has an opinion
 * before RCPT (blocked networks at CONNECT, a sender check at MAIL) decides there as everywhere.
 *
 * <p>This is a stage-aware default rather than a builder step that makes every author choose, because it is the
 * only answer that is right for a relay policy (allowing a connection or a sender lets no mail through: every
 * recipient is still decided at RCPT, where the mandatory default applies), because a builder step would be one
 * more thing a new user gets wrong or copies without reading, and because it keeps 0.1 policies compiling. An
 * author who wants something else says so with {@link Builder#otherwiseBeforeRecipient(Decision)} (for example the
 * RCPT default at every stage, for a submission port that refuses strangers at the banner).
 * {@code PolicyAssertions.assertThat(policy).acceptsStrangersBeforeRecipient()} in the test kit checks it.
 *
 * <p>A policy never throws and never returns {@code null}: a rule that throws (or returns {@code null})
 * yields a temporary refusal, 451 4.3.0, with the exception kept on the rule's decision, and the policy
 * stops there (fail closed, but only temporarily). The decision is named after the policy; its children
 * are the decisions of the rules asked, and it records the one it passes on, which
 * {@link Decision#decisive()} follows to the rule that decided. Two different rules with the same name (anywhere
 * in the tree, including the reserved name {@code default} and the policy's own name) are refused at
 * {@link Builder#build()}.
 *
 * <p>Built policies are immutable and thread-safe if their rules are; builders are not thread-safe.
 *
 * @since 0.1.0
 */
public final class Policy extends GuardedRule {

    /**
     * What a policy answers at a stage without a recipient (CONNECT, HELO, MAIL, DATA) when every rule abstains,
     * unless {@link Builder#otherwiseBeforeRecipient(Decision)} says otherwise: ALLOW by {@code default}.
     *
     * @since 0.2.0
     */
    public static final Decision DEFAULT_BEFORE_RECIPIENT =
            Decision.allow("default", "no rule refused; relay is decided per recipient at RCPT");

    private final String name;
    private final Rule[] rules;
    private final Decision otherwise;
    private final Decision beforeRecipient;
    /** The rules then the RCPT default, asked first-decisive: the default always decides. */
    private final Rules.FirstDecisive atRecipient;
    /** The rules then the default for the other stages. */
    private final Rules.FirstDecisive beforeRecipientChain;

    private Policy(String name, Rule[] rules, Decision otherwise, Decision beforeRecipient) {
        this.name = name;
        this.rules = rules;
        this.otherwise = otherwise;
        this.beforeRecipient = beforeRecipient;
        Rules.requireUniqueNames(name, this, List.of(rules));
        String reserved = otherwise.rule();
        for (Rule r : rules) {
            requireNotNamed(r, reserved);
            if (!beforeRecipient.rule().equals(reserved)) {
                requireNotNamed(r, beforeRecipient.rule());
            }
        }
        if (reserved.equals(name) || beforeRecipient.rule().equals(name)) {
            throw new IllegalArgumentException("policy " + name + ": its default must not be named like the policy");
        }
        this.atRecipient = chain(name, rules, otherwise);
        this.beforeRecipientChain = chain(name, rules, beforeRecipient);
    }

    private static Rules.FirstDecisive chain(String name, Rule[] rules, Decision dflt) {
        Rule[] withDefault = Arrays.copyOf(rules, rules.length + 1);
        withDefault[rules.length] = Rules.constant(dflt);
        return new Rules.FirstDecisive(name, Rules.guardAll(name, withDefault), false);
    }

    private void requireNotNamed(Rule root, String reserved) {
        if (root.name().equals(reserved)) {
            throw new IllegalArgumentException("policy " + name + ": the rule name '" + reserved
                    + "' is the name of the policy's default; give the rule " + root.describe().lines().findFirst()
                    .orElse(reserved) + " another name");
        }
        for (Rule m : root.members()) {
            requireNotNamed(m, reserved);
        }
    }

    /**
     * Starts a policy.
     *
     * @param name the policy's name, as it appears in decisions
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(Rules.requireName(name));
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        Objects.requireNonNull(request, "request is null");
        // this policy's own guard covers the chains
        return request.stage() == Stage.RCPT ? atRecipient.combine(request) : beforeRecipientChain.combine(request);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the rules in the order they are asked; unmodifiable */
    public List<Rule> rules() {
        return List.of(rules);
    }

    /**
     * The rules in the order they are asked (the defaults are not rules); the same as {@link #rules()}.
     *
     * @return the rules; unmodifiable
     * @since 0.2.0
     */
    @Override
    public List<Rule> members() {
        return List.of(rules);
    }

    /** @return the decision at {@link Stage#RCPT} when every rule abstains */
    public Decision otherwise() {
        return otherwise;
    }

    /**
     * The decision at the stages without a recipient (CONNECT, HELO, MAIL, DATA) when every rule abstains:
     * {@link #DEFAULT_BEFORE_RECIPIENT} unless the builder was given another.
     *
     * @return the decision
     * @since 0.2.0
     */
    public Decision otherwiseBeforeRecipient() {
        return beforeRecipient;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(": first decisive of");
        int i = 1;
        for (Rule r : rules) {
            sb.append('\n').append(("" + i++ + ". " + r.describe()).indent(2).stripTrailing());
        }
        sb.append('\n').append(("otherwise " + otherwise.verdict()
                + otherwise.reply().map(x -> " [" + x + "]").orElse("") + ": " + otherwise.reason())
                .indent(2).stripTrailing());
        sb.append('\n').append(("before a recipient (CONNECT, HELO, MAIL, DATA) otherwise " + beforeRecipient.verdict()
                + beforeRecipient.reply().map(x -> " [" + x + "]").orElse("") + ": " + beforeRecipient.reason())
                .indent(2).stripTrailing());
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Policy{" + name + ", " + rules.length + " rules}";
    }

    /** Builds a {@link Policy}. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final String name;
        private final List<Rule> rules = new ArrayList<>();
        private Decision otherwise;
        private Decision beforeRecipient;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds a rule, asked after the ones added before. A decider that is not a {@link Rule} is named
         * {@code policyName[index]} and guarded.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder rule(RelayDecider rule) {
            Objects.requireNonNull(rule, "rule");
            rules.add(Rules.guard(name + "[" + rules.size() + "]", rule));
            return this;
        }

        /**
         * The default at {@link Stage#RCPT} when every rule abstains: a permanent refusal. The stages without a
         * recipient have their own default; see {@link #otherwiseBeforeRecipient(Decision)}.
         *
         * @param reply a 5xx reply
         * @return this builder
         * @throws IllegalArgumentException if {@code reply} is not 5xx
         * @throws IllegalStateException if a default was already set
         */
        public Builder otherwiseDeny(SmtpReply reply) {
            return otherwise(Decision.deny("default", "no rule allowed this request", reply));
        }

        /**
         * The default at {@link Stage#RCPT} when every rule abstains: a temporary refusal.
         *
         * @param reply a 4xx reply
         * @return this builder
         * @throws IllegalArgumentException if {@code reply} is not 4xx
         * @throws IllegalStateException if a default was already set
         */
        public Builder otherwiseDefer(SmtpReply reply) {
            return otherwise(Decision.defer("default", "no rule allowed this request", reply));
        }

        /**
         * The default at {@link Stage#RCPT} when every rule abstains, spelled out. An ALLOW default is possible
         * but must be written here explicitly; NO_OPINION is refused.
         *
         * @param decision the default decision
         * @return this builder
         * @throws IllegalArgumentException if {@code decision} is NO_OPINION
         * @throws IllegalStateException if a default was already set
         */
        public Builder otherwise(Decision decision) {
            Objects.requireNonNull(decision, "decision");
            if (decision.verdict() == Verdict.NO_OPINION) {
                throw new IllegalArgumentException("a policy's default must decide; NO_OPINION is not a default");
            }
            if (otherwise != null) {
                throw new IllegalStateException("the default is already set to " + otherwise);
            }
            this.otherwise = decision;
            return this;
        }

        /**
         * The answer at the stages without a recipient (CONNECT, HELO, MAIL, DATA) when every rule abstains,
         * instead of {@link Policy#DEFAULT_BEFORE_RECIPIENT} (ALLOW). For example {@code
         * otherwiseBeforeRecipient(Decision.deny("default", "no rule allowed this client", reply))} refuses every
         * client that no rule allows at the banner. Its rule name is reserved like the RCPT default's.
         *
         * @param decision the decision; must decide (NO_OPINION is refused)
         * @return this builder
         * @throws IllegalArgumentException if {@code decision} is NO_OPINION
         * @throws IllegalStateException if it was already set
         * @since 0.2.0
         */
        public Builder otherwiseBeforeRecipient(Decision decision) {
            Objects.requireNonNull(decision, "decision");
            if (decision.verdict() == Verdict.NO_OPINION) {
                throw new IllegalArgumentException("a policy's default must decide; NO_OPINION is not a default");
            }
            if (beforeRecipient != null) {
                throw new IllegalStateException("the default before a recipient is already set to " + beforeRecipient);
            }
            this.beforeRecipient = decision;
            return this;
        }

        /**
         * @return the policy
         * @throws IllegalStateException if no rule or no default was given
         * @throws IllegalArgumentException if two different rules share a name, or a rule has the name of a default
         *     or of the policy
         */
        public Policy build() {
            if (rules.isEmpty()) {
                throw new IllegalStateException("policy " + name + " has no rules");
            }
            if (otherwise == null) {
                throw new IllegalStateException("policy " + name
                        + " has no default: call otherwiseDeny(...), otherwiseDefer(...) or otherwise(...)");
            }
            return new Policy(name, rules.toArray(new Rule[0]), otherwise,
                    beforeRecipient == null ? DEFAULT_BEFORE_RECIPIENT : beforeRecipient);
        }
    }
}
