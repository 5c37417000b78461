package io.relaycontrol.core.rules;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
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
 * <p>A policy never throws and never returns {@code null}: a rule that throws (or returns {@code null})
 * yields a temporary refusal, 451 4.3.0, with the exception kept on the rule's decision, and the policy
 * stops there (fail closed, but only temporarily). The decision is named after the policy; its children
 * are the decisions of the rules asked, and {@link Decision#decisive()} finds the rule that decided.
 *
 * <p>Built policies are immutable and thread-safe if their rules are; builders are not thread-safe.
 *
 * @since 0.1.0
 */
public final class Policy extends GuardedRule {

    private final String name;
    private final Rule[] rules;
    private final Decision otherwise;
    /** The rules then the default, asked first-decisive: the default always decides. */
    private final Rules.FirstDecisive firstDecisive;

    private Policy(String name, Rule[] rules, Decision otherwise) {
        this.name = name;
        this.rules = rules;
        this.otherwise = otherwise;
        Rule[] withDefault = Arrays.copyOf(rules, rules.length + 1);
        withDefault[rules.length] = Rules.constant(otherwise);
        this.firstDecisive = new Rules.FirstDecisive(name, Rules.guardAll(name, withDefault));
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
        return firstDecisive.combine(request); // this policy's own guard covers it
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the rules in the order they are asked; unmodifiable */
    public List<Rule> rules() {
        return List.of(rules);
    }

    /** @return the decision when every rule abstains */
    public Decision otherwise() {
        return otherwise;
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
         * The default when every rule abstains: a permanent refusal.
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
         * The default when every rule abstains: a temporary refusal.
         *
         * @param reply a 4xx reply
         * @return this builder
         */
        public Builder otherwiseDefer(SmtpReply reply) {
            return otherwise(Decision.defer("default", "no rule allowed this request", reply));
        }

        /**
         * The default when every rule abstains, spelled out. An ALLOW default is possible but must be
         * written here explicitly; NO_OPINION is refused.
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
         * @return the policy
         * @throws IllegalStateException if no rule or no default was given
         */
        public Policy build() {
            if (rules.isEmpty()) {
                throw new IllegalStateException("policy " + name + " has no rules");
            }
            if (otherwise == null) {
                throw new IllegalStateException("policy " + name
                        + " has no default: call otherwiseDeny(...), otherwiseDefer(...) or otherwise(...)");
            }
            return new Policy(name, rules.toArray(new Rule[0]), otherwise);
        }
    }
}
