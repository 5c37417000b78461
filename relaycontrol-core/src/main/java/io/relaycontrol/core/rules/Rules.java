package io.relaycontrol.core.rules;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Factories for {@link Rule}s: constant rules, rules from conditions, and the combinators.
 *
 * <h2>The algebra</h2>
 * Let A = ALLOW, D = DENY, T = DEFER (temporary), N = NO_OPINION. Members are asked in order; a member
 * that throws or returns {@code null} counts as T (451 4.3.0, exception kept on the decision).
 *
 * <table>
 * <caption>Combinators</caption>
 * <tr><th>combinator</th><th>asks members</th><th>result</th></tr>
 * <tr><td>{@link #firstDecisive firstDecisive}</td><td>until the first non-N</td>
 *     <td>the first non-N verdict; N if all are N (Postfix restriction lists)</td></tr>
 * <tr><td>{@link #allOf allOf}</td><td>until the first non-A</td>
 *     <td>A if all are A; otherwise the first non-A verdict (D, T or N)</td></tr>
 * <tr><td>{@link #anyOf anyOf}</td><td>until the first A</td>
 *     <td>A if any is A; otherwise T if any is T, else D if any is D, else N</td></tr>
 * <tr><td>{@link #not not}</td><td>its one member</td><td>A&rarr;D, D&rarr;A, T&rarr;T, N&rarr;N</td></tr>
 * <tr><td>{@link #checkedAllow checkedAllow(x, checks)}</td><td>x; the checks only if x is A, until the first
 *     D or T</td><td>x if x is not A; otherwise the first D or T of the checks, else x's A</td></tr>
 * </table>
 *
 * <p>{@code checkedAllow} is how a rate limit (which only ever refuses or abstains) is charged for exactly the
 * requests a rule allows: {@code checkedAllow(trusted, limit)} never charges a request that {@code trusted} does
 * not allow.
 *
 * <p>Truth table for two members {@code (x, y)}, with {@code -} where y is never asked:
 * <pre>
 *  x  y | firstDecisive allOf anyOf
 *  A  - |     A           .     A
 *  A  A |     .           A     .
 *  A  D |     .           D     .
 *  A  T |     .           T     .
 *  A  N |     .           N     .
 *  D  - |     D           D     .
 *  D  A |     .           .     A
 *  D  D |     .           .     D
 *  D  T |     .           .     T
 *  D  N |     .           .     D
 *  T  - |     T           T     .
 *  T  A |     .           .     A
 *  T  D |     .           .     T
 *  T  T |     .           .     T
 *  T  N |     .           .     T
 *  N  A |     A           N     A
 *  N  D |     D           N     D
 *  N  T |     T           N     T
 *  N  N |     N           N     N
 * </pre>
 * ({@code .}: that row does not apply to that combinator because y is asked, or not asked, there.)
 * <p>Truth table of {@code checkedAllow(x, y)} (all 16 pairs; {@code -} where y is never asked), with the rule whose
 * decision is passed on:
 * <pre>
 *  x  y | checkedAllow  decided by
 *  A  A |     A             x
 *  A  D |     D             y
 *  A  T |     T             y
 *  A  N |     A             x
 *  D  - |     D             x
 *  T  - |     T             x
 *  N  - |     N             x
 * </pre>
 * In anyOf a temporary refusal outranks a permanent one: a member that could not decide might have allowed.
 * In not, a temporary refusal stays temporary: an unknown answer negated is still unknown.
 *
 * <p>Laws (checked by property tests): {@code firstDecisive(r1..rn)} equals the left fold
 * {@code r1 orElse (r2 orElse ...)}; {@code not(not(r))} has r's verdict when r allows or denies;
 * {@code allOf} never asks a member after a non-allow, so a rate limit placed last spends no token on a
 * request already refused.
 *
 * <h2>Who decided</h2>
 * A combinator that passes on a member's answer returns a {@linkplain Decision#composite composite} decision that
 * records that member's decision ({@link Decision#decisiveChild()}), so {@link Decision#decisive()} names exactly
 * the member whose verdict, reply and reason the combinator returned: for {@code anyOf} without an allow, the
 * first DEFER (else the first DENY), not the last member with that verdict. A combinator that makes its own answer
 * (every member abstained; {@code not} turning ALLOW into DENY or DENY into ALLOW) is itself the deciding rule.
 * {@code checkedAllow} whose first member does not allow returns that member's decision unchanged.
 *
 * <h2>Names</h2>
 * Two different rules with the same name are refused when a combinator or a {@link Policy} is built
 * ({@link IllegalArgumentException} naming both), so that a name in {@code explain()}, the metrics and the audit log
 * means one rule. The same rule instance may appear in several places (a rate limit checking several allows).
 *
 * <p>Every rule returned is immutable and thread-safe if its members are, never returns {@code null} and
 * never throws. Empty member lists are errors.
 *
 * @since 0.1.0
 */
public final class Rules {

    private Rules() {
    }

    /**
     * Names a hand-written decider and guards it: a {@code null} result or an exception becomes a temporary
     * refusal (451 4.3.0) that keeps the exception.
     *
     * @param name the rule's name
     * @param decider the decider
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Rule named(String name, RelayDecider decider) {
        return new Named(requireName(name), Objects.requireNonNull(decider, "decider"));
    }

    /**
     * A rule that always allows.
     *
     * @param name the rule's name
     * @param reason why
     * @return the rule
     */
    public static Rule allow(String name, String reason) {
        return constant(Decision.allow(requireName(name), reason));
    }

    /**
     * A rule that always refuses permanently.
     *
     * @param name the rule's name
     * @param reason why
     * @param reply a 5xx reply
     * @return the rule
     * @throws IllegalArgumentException if {@code reply} is not 5xx
     */
    public static Rule deny(String name, String reason, SmtpReply reply) {
        return constant(Decision.deny(requireName(name), reason, reply));
    }

    /**
     * A rule that always refuses temporarily.
     *
     * @param name the rule's name
     * @param reason why
     * @param reply a 4xx reply
     * @return the rule
     * @throws IllegalArgumentException if {@code reply} is not 4xx
     */
    public static Rule defer(String name, String reason, SmtpReply reply) {
        return constant(Decision.defer(requireName(name), reason, reply));
    }

    /**
     * A rule that returns the same decision for every request.
     *
     * @param decision the decision
     * @return the rule, named after the decision's rule
     */
    public static Rule constant(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        return new Rule() {
            @Override
            public Decision decide(RelayRequest request) {
                return decision;
            }

            @Override
            public String name() {
                return decision.rule();
            }

            @Override
            public String describe() {
                return decision.rule() + ": always " + decision.verdict()
                        + decision.reply().map(r -> " [" + r + "]").orElse("");
            }
        };
    }

    /**
     * Starts a rule that decides only when {@code condition} holds and has no opinion otherwise:
     * {@code Rules.when(Conditions.authenticated()).allow("authenticated")}.
     *
     * @param condition the condition
     * @return a step to choose the decision
     */
    public static When when(Condition condition) {
        return new When(Objects.requireNonNull(condition, "condition"));
    }

    /**
     * First decisive: asks the members in order and returns the first answer that is not NO_OPINION
     * (the semantics of a Postfix restriction list). NO_OPINION if all abstain.
     *
     * @param name the rule's name
     * @param members one or more members
     * @return the rule
     * @throws IllegalArgumentException if there is no member, {@code name} is blank, or two different rules in the
     *     tree share a name
     */
    public static Rule firstDecisive(String name, RelayDecider... members) {
        return new FirstDecisive(requireName(name), guardAll(name, members));
    }

    /**
     * First decisive over a list; see {@link #firstDecisive(String, RelayDecider...)}.
     *
     * @param name the rule's name
     * @param members one or more members
     * @return the rule
     */
    public static Rule firstDecisive(String name, List<? extends RelayDecider> members) {
        return firstDecisive(name, members.toArray(new RelayDecider[0]));
    }

    /**
     * All of: asks the members in order, stopping at the first answer that is not ALLOW, and returns it;
     * ALLOW if every member allows.
     *
     * @param name the rule's name
     * @param members one or more members
     * @return the rule
     * @throws IllegalArgumentException if there is no member, {@code name} is blank, or two different rules in the
     *     tree share a name
     */
    public static Rule allOf(String name, RelayDecider... members) {
        return new AllOf(requireName(name), guardAll(name, members));
    }

    /**
     * Any of: asks the members in order, stopping at the first ALLOW; otherwise the first DEFER, else the
     * first DENY, else NO_OPINION.
     *
     * @param name the rule's name
     * @param members one or more members
     * @return the rule
     * @throws IllegalArgumentException if there is no member, {@code name} is blank, or two different rules in the
     *     tree share a name
     */
    public static Rule anyOf(String name, RelayDecider... members) {
        return new AnyOf(requireName(name), guardAll(name, members));
    }

    /**
     * Checked allow: asks {@code allow}; only when it allows, asks the {@code checks} in order, and the first
     * check that refuses (DENY or DEFER) decides. Checks that allow or abstain let the allow stand. When
     * {@code allow} does not allow, its decision is the result and no check is asked.
     *
     * @param name the rule's name
     * @param allow the rule whose allow is checked
     * @param checks one or more checks, e.g. rate limits
     * @return the rule
     * @throws IllegalArgumentException if there is no check, {@code name} is blank, or two different rules in the
     *     tree share a name
     */
    public static Rule checkedAllow(String name, RelayDecider allow, RelayDecider... checks) {
        Rule[] members = new Rule[checks.length + 1];
        members[0] = guard(name + "[0]", Objects.requireNonNull(allow, "allow"));
        if (checks.length == 0) {
            throw new IllegalArgumentException(name + ": at least one check is required");
        }
        Rule[] guarded = guardAll(name, checks);
        System.arraycopy(guarded, 0, members, 1, guarded.length);
        return new CheckedAllow(requireName(name), members);
    }

    /**
     * Not: ALLOW becomes DENY with {@code denyReply}, DENY becomes ALLOW, DEFER and NO_OPINION are kept.
     *
     * @param name the rule's name
     * @param member the rule to negate
     * @param denyReply the 5xx reply when the member allows
     * @return the rule
     * @throws IllegalArgumentException if {@code denyReply} is not 5xx, or two different rules in the tree share a
     *     name
     */
    public static Rule not(String name, RelayDecider member, SmtpReply denyReply) {
        Objects.requireNonNull(denyReply, "denyReply");
        if (!denyReply.isPermanentFailure()) {
            throw new IllegalArgumentException("not() needs a 5xx reply for its DENY, was " + denyReply);
        }
        return new Not(requireName(name), guard(name + "[0]", Objects.requireNonNull(member, "member")), denyReply);
    }

    /**
     * Not, denying with {@link SmtpReply#RELAY_ACCESS_DENIED}; see {@link #not(String, RelayDecider, SmtpReply)}.
     *
     * @param name the rule's name
     * @param member the rule to negate
     * @return the rule
     */
    public static Rule not(String name, RelayDecider member) {
        return not(name, member, SmtpReply.RELAY_ACCESS_DENIED);
    }

    /**
     * Decides {@code request} with {@code decider}, turning a {@code null} result or an exception into
     * {@link Decision#failed}. Virtual machine errors (out of memory) are rethrown.
     *
     * @param name the name to give a failure
     * @param decider the decider
     * @param request the request
     * @return the decision, never {@code null}
     */
    public static Decision decideSafely(String name, RelayDecider decider, RelayRequest request) {
        try {
            Decision d = decider.decide(request);
            if (d == null) {
                return Decision.failed(name, new NullPointerException("rule " + name + " returned null"));
            }
            return d;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return Decision.failed(name, t);
        }
    }

    /**
     * Refuses two different rules with the same name in the trees below {@code roots} (followed through
     * {@link Rule#members()}). The same rule reached twice, directly or through a transparent wrapper
     * ({@link #named} around a rule, {@code when(..).then(rule)}), counts once.
     *
     * @param ownName the name of the combinator or policy being built, reserved for it
     * @param owner0 the owner's identity (what its name belongs to)
     * @param roots the rules to walk
     * @throws IllegalArgumentException naming the duplicated name and both rules
     */
    static void requireUniqueNames(String ownName, Object owner0, List<? extends Rule> roots) {
        Map<String, Object> owners = new HashMap<>();
        Map<String, Rule> firstSeen = new HashMap<>();
        owners.put(ownName, owner0);
        Set<Object> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rule r : roots) {
            walk(ownName, r, owners, firstSeen, visited);
        }
    }

    private static void walk(String top, Rule r, Map<String, Object> owners, Map<String, Rule> firstSeen,
            Set<Object> visited) {
        Object id = identity(r);
        if (!visited.add(id)) {
            return;
        }
        String n = r.name();
        Object prev = owners.putIfAbsent(n, id);
        if (prev != null && prev != id) {
            Rule other = firstSeen.get(n);
            throw new IllegalArgumentException(top + ": two different rules are named '" + n + "' ("
                    + (other == null ? "the composite itself" : oneLine(other)) + "; and " + oneLine(r)
                    + "); give each rule its own name, so that decisions, metrics and the audit log name one rule");
        }
        firstSeen.putIfAbsent(n, r);
        for (Rule m : r.members()) {
            walk(top, m, owners, firstSeen, visited);
        }
    }

    private static String oneLine(Rule r) {
        String d = r.describe();
        int nl = d.indexOf('\n');
        return nl < 0 ? d : d.substring(0, nl) + " ...";
    }

    /** What a rule's name belongs to: transparent wrappers are seen through. */
    static Object identity(Rule r) {
        Rule x = r;
        while (true) {
            if (x instanceof Named) {
                RelayDecider d = ((Named) x).delegate;
                if (!(d instanceof Rule)) {
                    return d;
                }
                x = (Rule) d;
            } else if (x instanceof ConditionalRule && ((ConditionalRule) x).then != null) {
                x = ((ConditionalRule) x).then;
            } else {
                return x;
            }
        }
    }

    static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
        return name;
    }

    static Rule guard(String fallbackName, RelayDecider d) {
        if (d instanceof Named || d instanceof GuardedRule) {
            return (Rule) d;
        }
        if (d instanceof Rule) {
            return new Named(((Rule) d).name(), d);
        }
        return new Named(fallbackName, d);
    }

    static Rule[] guardAll(String name, RelayDecider[] members) {
        if (members.length == 0) {
            throw new IllegalArgumentException(name + ": at least one member rule is required");
        }
        Rule[] out = new Rule[members.length];
        for (int i = 0; i < members.length; i++) {
            out[i] = guard(name + "[" + i + "]", Objects.requireNonNull(members[i], name + ": member " + i));
        }
        return out;
    }

    static String describeMembers(String head, Rule[] members) {
        StringBuilder sb = new StringBuilder(head);
        for (Rule m : members) {
            sb.append('\n').append(m.describe().indent(2).stripTrailing());
        }
        return sb.toString();
    }

    /** The second step of {@link #when(Condition)}. Not thread-safe; the rules it returns are. */
    public static final class When {
        private final Condition condition;

        private When(Condition condition) {
            this.condition = condition;
        }

        /**
         * @param name the rule's name
         * @return a rule that allows when the condition holds
         */
        public Rule allow(String name) {
            return new ConditionalRule(requireName(name), condition,
                    Decision.allow(name, condition.description()), null);
        }

        /**
         * @param name the rule's name
         * @param reply a 5xx reply
         * @return a rule that refuses permanently when the condition holds
         */
        public Rule deny(String name, SmtpReply reply) {
            return new ConditionalRule(requireName(name), condition,
                    Decision.deny(name, condition.description(), reply), null);
        }

        /**
         * @param name the rule's name
         * @param reply a 4xx reply
         * @return a rule that refuses temporarily when the condition holds
         */
        public Rule defer(String name, SmtpReply reply) {
            return new ConditionalRule(requireName(name), condition,
                    Decision.defer(name, condition.description(), reply), null);
        }

        /**
         * @param rule the rule to ask when the condition holds
         * @return a rule that asks {@code rule} when the condition holds and abstains otherwise
         */
        public Rule then(RelayDecider rule) {
            Rule r = guard("then", Objects.requireNonNull(rule, "rule"));
            return new ConditionalRule(r.name(), condition, null, r);
        }
    }

    /** Marker for the combinators, which guard their members themselves. */
    abstract static class Combinator extends GuardedRule {
        final String name;
        final Rule[] members;

        Combinator(String name, Rule[] members) {
            this(name, members, true);
        }

        Combinator(String name, Rule[] members, boolean checkNames) {
            this.name = name;
            this.members = members;
            if (checkNames) {
                requireUniqueNames(name, this, List.of(members));
            }
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final List<Rule> members() {
            return List.of(members);
        }

        @Override
        protected final Decision decideUnguarded(RelayRequest request) {
            return combine(request);
        }

        abstract Decision combine(RelayRequest request);

        static Decision compose(String name, Decision result, List<Decision> consulted) {
            return Decision.composite(name, result, consulted);
        }
    }

    static final class Named implements Rule {
        private final String name;
        private final RelayDecider delegate;

        Named(String name, RelayDecider delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public Decision decide(RelayRequest request) {
            return decideSafely(name, delegate, request);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return delegate instanceof Rule ? ((Rule) delegate).describe() : name;
        }

        @Override
        public List<Rule> members() {
            return delegate instanceof Rule ? ((Rule) delegate).members() : List.of();
        }
    }

    static final class ConditionalRule extends GuardedRule {
        private final String name;
        private final Condition condition;
        private final Decision whenTrue;
        private final Rule then;
        private final Decision abstain;

        ConditionalRule(String name, Condition condition, Decision whenTrue, Rule then) {
            this.name = name;
            this.condition = condition;
            this.whenTrue = whenTrue;
            this.then = then;
            this.abstain = Decision.noOpinion(name, "not the case: " + condition.description());
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            if (!condition.test(request)) {
                return abstain;
            }
            return then == null ? whenTrue : then.decide(request);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Rule> members() {
            return then == null ? List.of() : then.members();
        }

        @Override
        public String describe() {
            return then == null
                    ? name + ": when " + condition.description() + " then " + whenTrue.verdict()
                            + whenTrue.reply().map(r -> " [" + r + "]").orElse("")
                    : "when " + condition.description() + " then\n" + then.describe().indent(2).stripTrailing();
        }
    }

    static final class FirstDecisive extends Combinator {
        private final Decision abstain;
        /**
         * Each member's first abstention and the lists of them, replaced (never changed) when a member abstains
         * for the first time: see {@link #combine}.
         */
        private volatile Usual usual;

        /**
         * What the members answered the first time they abstained. A member usually abstains with one constant
         * decision (a condition that is not the case, a client not in a set), so the decisions of the members
         * asked before the decisive one are usually a prefix of these, and a decision can keep the prefix's
         * list, made once, instead of a list of its own. Immutable.
         */
        private static final class Usual {
            /** [i]: member i's first abstention, or null if it has not abstained yet. */
            final Decision[] abstentions;
            /** [k]: {@code List.of(abstentions[0..k-1])} if those are all known, else null. */
            final List<Decision>[] prefixes;

            @SuppressWarnings("unchecked")
            Usual(Decision[] abstentions) {
                this.abstentions = abstentions;
                this.prefixes = (List<Decision>[]) new List<?>[abstentions.length + 1];
                prefixes[0] = List.of();
                for (int k = 0; k < abstentions.length && abstentions[k] != null; k++) {
                    prefixes[k + 1] = List.of(Arrays.copyOf(abstentions, k + 1));
                }
            }

            Usual with(int i, Decision abstention) {
                Decision[] a = abstentions.clone();
                a[i] = abstention;
                return new Usual(a);
            }
        }

        FirstDecisive(String name, Rule[] members) {
            this(name, members, true);
        }

        /** For {@link Policy}, which checks the names of its rules and defaults itself. */
        FirstDecisive(String name, Rule[] members, boolean checkNames) {
            super(name, members, checkNames);
            this.abstain = Decision.noOpinion(name, "no member rule had an opinion");
            this.usual = new Usual(new Decision[members.length]);
        }

        /**
         * Asks the members in order until one has an opinion. While each member asked abstains with the decision
         * it gave the first time it abstained (the same instance), nothing is allocated but the decision: its
         * children are the list of those abstentions, made once ({@link Usual#prefixes}), and the decisive one
         * ({@link Decision#composite(String, Decision, List, Decision)}). The children are the decisions the
         * members made, as ever; only where they are kept differs. A member that abstains with another decision
         * sends the request on the general path, {@link #combineFrom}, which keeps them in a list of its own.
         */
        @Override
        Decision combine(RelayRequest request) {
            Usual u = usual;
            Decision[] abstentions = u.abstentions;
            int last = members.length - 1;
            for (int i = 0;; i++) {
                Decision d = members[i].decide(request);
                // members 0..i-1 abstained with abstentions[0..i-1], all known: prefixes[i] is their list
                if (d.verdict() != Verdict.NO_OPINION) {
                    return Decision.composite(name, d, u.prefixes[i], d);
                }
                if (i == last) {
                    return abstain.toBuilder().children(u.prefixes[i]).child(d).build();
                }
                if (d != abstentions[i]) {
                    return combineFrom(request, u, i, d);
                }
            }
        }

        /**
         * The general path: member {@code i} abstained with {@code d}, not with its usual abstention (members
         * before it did); remembers {@code d} if member {@code i} has no usual abstention yet, asks the rest
         * with {@link #consult} and keeps all the decisions in a list of their own.
         */
        private Decision combineFrom(RelayRequest request, Usual u, int i, Decision d) {
            if (u.abstentions[i] == null) {
                usual = u.with(i, d); // a race loses at most a lesson, learnt again next time
            }
            Decision[] consulted = consult(request, i + 1);
            System.arraycopy(u.abstentions, 0, consulted, 0, i);
            consulted[i] = d;
            Decision last = consulted[consulted.length - 1];
            // List.of over the exact array: the one copy, which Decision.composite then keeps as it is
            List<Decision> children = List.of(consulted);
            if (last.verdict() != Verdict.NO_OPINION) {
                return compose(name, last, children);
            }
            return abstain.toBuilder().children(children).build();
        }

        /**
         * Asks members from {@code i} on until one has an opinion, and returns their decisions in order in an
         * array of exactly their number (the array is allocated once its length is known, when the recursion
         * stops, and filled on the way back): no list to grow and copy on the path of every request. The
         * recursion is as deep as the members asked (a policy's steps, about a dozen).
         */
        private Decision[] consult(RelayRequest request, int i) {
            Decision d = members[i].decide(request);
            Decision[] out = d.verdict() != Verdict.NO_OPINION || i == members.length - 1 ? new Decision[i + 1]
                    : consult(request, i + 1);
            out[i] = d;
            return out;
        }

        @Override
        public String describe() {
            return describeMembers(name + ": first decisive of", members);
        }
    }

    static final class AllOf extends Combinator {
        AllOf(String name, Rule[] members) {
            super(name, members);
        }

        @Override
        Decision combine(RelayRequest request) {
            List<Decision> consulted = new ArrayList<>(members.length);
            Decision last = null;
            for (Rule m : members) {
                last = m.decide(request);
                consulted.add(last);
                if (last.verdict() != Verdict.ALLOW) {
                    break;
                }
            }
            return compose(name, last, consulted);
        }

        @Override
        public String describe() {
            return describeMembers(name + ": all of", members);
        }
    }

    static final class AnyOf extends Combinator {
        AnyOf(String name, Rule[] members) {
            super(name, members);
        }

        @Override
        Decision combine(RelayRequest request) {
            List<Decision> consulted = new ArrayList<>(members.length);
            Decision firstDefer = null;
            Decision firstDeny = null;
            for (Rule m : members) {
                Decision d = m.decide(request);
                consulted.add(d);
                switch (d.verdict()) {
                    case ALLOW:
                        return compose(name, d, consulted);
                    case DEFER:
                        firstDefer = firstDefer == null ? d : firstDefer;
                        break;
                    case DENY:
                        firstDeny = firstDeny == null ? d : firstDeny;
                        break;
                    default:
                        break;
                }
            }
            if (firstDefer != null) {
                return compose(name, firstDefer, consulted);
            }
            if (firstDeny != null) {
                return compose(name, firstDeny, consulted);
            }
            return Decision.builder(Verdict.NO_OPINION, name, "no member rule had an opinion")
                    .children(consulted).build();
        }

        @Override
        public String describe() {
            return describeMembers(name + ": any of", members);
        }
    }

    static final class CheckedAllow extends Combinator {
        /**
         * {@code List.of(a)} for the first allow {@code a} the first member gave, or empty before it allowed: the
         * first member usually allows with one constant decision, whose list is then made once. Learnt once and
         * never replaced (a race learns one of two correct lists); an allow that is another instance gets a list
         * of its own.
         */
        private volatile List<Decision> firstAllow = List.of();

        CheckedAllow(String name, Rule[] members) {
            super(name, members);
        }

        private List<Decision> listOf(Decision first) {
            List<Decision> l = firstAllow;
            if (!l.isEmpty() && l.get(0) == first) {
                return l;
            }
            l = List.of(first);
            if (firstAllow.isEmpty()) {
                firstAllow = l;
            }
            return l;
        }

        @Override
        Decision combine(RelayRequest request) {
            Decision first = members[0].decide(request);
            if (first.verdict() != Verdict.ALLOW) {
                return first; // x itself: nothing was checked
            }
            if (members.length == 2) { // one check, the common case: no list to grow and copy, nor any list at all
                Decision d = members[1].decide(request);
                return Decision.composite(name, d.verdict().isRefusal() ? d : first, listOf(first), d);
            }
            List<Decision> consulted = new ArrayList<>(members.length);
            consulted.add(first);
            for (int i = 1; i < members.length; i++) {
                Decision d = members[i].decide(request);
                consulted.add(d);
                if (d.verdict().isRefusal()) {
                    return compose(name, d, consulted);
                }
            }
            return compose(name, first, consulted);
        }

        @Override
        public String describe() {
            return describeMembers(name + ": allow of the first, checked by the others", members);
        }
    }

    static final class Not extends Combinator {
        private final SmtpReply denyReply;

        Not(String name, Rule member, SmtpReply denyReply) {
            super(name, new Rule[] {member});
            this.denyReply = denyReply;
        }

        @Override
        Decision combine(RelayRequest request) {
            Decision d = members[0].decide(request);
            switch (d.verdict()) {
                case ALLOW:
                    return Decision.builder(Verdict.DENY, name, "negated: " + d.reason())
                            .reply(denyReply).child(d).build();
                case DENY:
                    return Decision.builder(Verdict.ALLOW, name, "negated: " + d.reason()).child(d).build();
                default:
                    return compose(name, d, List.of(d));
            }
        }

        @Override
        public String describe() {
            return describeMembers(name + ": not", members);
        }
    }
}
