package io.relaycontrol.core.rules;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.quicktheories.core.Gen;
import org.quicktheories.impl.Constraint;

/**
 * Generated rule trees for the combinator property tests, and an independent reference model of what each tree
 * decides, written from the truth tables in {@link Rules}' javadoc (not from the implementation).
 *
 * <p>A tree's leaves are constant rules (each verdict, with replies that differ per leaf, so that the reply tells
 * which leaf decided), rules that throw and rules that return {@code null}; its inner nodes are every combinator,
 * nested up to a depth. Every node gets its own name, so that the deciding leaf's name identifies it.
 */
final class RuleTrees {

    private RuleTrees() {
    }

    /** What a node is. */
    enum Kind {
        ALLOW, DENY, DEFER, ABSTAIN, THROWS, RETURNS_NULL, FIRST_DECISIVE, ALL_OF, ANY_OF, NOT, CHECKED_ALLOW
    }

    static final List<Kind> LEAVES = List.of(Kind.ALLOW, Kind.DENY, Kind.DEFER, Kind.ABSTAIN, Kind.THROWS,
            Kind.RETURNS_NULL);
    static final List<Kind> COMBINATORS = List.of(Kind.FIRST_DECISIVE, Kind.ALL_OF, Kind.ANY_OF, Kind.NOT,
            Kind.CHECKED_ALLOW);

    /** The deny reply of every {@code not} node. */
    static final SmtpReply NOT_REPLY = SmtpReply.of(553, "5.7.1", "negated allow");

    /** A node of a generated tree; {@code variant} picks the reply code of a leaf. */
    record Node(Kind kind, int variant, List<Node> kids) {
        Node {
            kids = List.copyOf(kids);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(kind.name().toLowerCase());
            if (kind == Kind.DENY || kind == Kind.DEFER) {
                sb.append(variant);
            }
            if (!kids.isEmpty()) {
                sb.append(kids);
            }
            return sb.toString();
        }
    }

    /** What the model says a tree decides: verdict, reply, reason and the name of the deciding rule. */
    record Outcome(Verdict verdict, SmtpReply reply, String reason, String decidedBy) {
        static Outcome of(Decision d) {
            return new Outcome(d.verdict(), d.reply().orElse(null), d.reason(), d.decisive().rule());
        }
    }

    /**
     * Trees up to {@code depth} levels of combinators, each combinator with one to {@code width} members.
     *
     * @param depth how deep combinators nest
     * @param width most members of one combinator
     * @return the generator
     */
    static Gen<Node> trees(int depth, int width) {
        return in -> tree(in, depth, width);
    }

    /**
     * Lists of one to {@code size} trees, for the members of a combinator or the rules of a policy.
     *
     * @param size most trees
     * @param depth how deep combinators nest inside each
     * @return the generator
     */
    static Gen<List<Node>> forests(int size, int depth) {
        return in -> {
            int n = (int) in.next(Constraint.between(1, size));
            List<Node> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(tree(in, depth, 3));
            }
            return out;
        };
    }

    private static Node tree(org.quicktheories.core.RandomnessSource in, int depth, int width) {
        boolean leaf = depth == 0 || in.next(Constraint.between(0, 2)) == 0;
        if (leaf) {
            Kind k = LEAVES.get((int) in.next(Constraint.between(0, LEAVES.size() - 1)));
            return new Node(k, (int) in.next(Constraint.between(0, 3)), List.of());
        }
        Kind k = COMBINATORS.get((int) in.next(Constraint.between(0, COMBINATORS.size() - 1)));
        int n = k == Kind.NOT ? 1 : k == Kind.CHECKED_ALLOW ? (int) in.next(Constraint.between(2, width + 1))
                : (int) in.next(Constraint.between(1, width));
        List<Node> kids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            kids.add(tree(in, depth - 1, width));
        }
        return new Node(k, 0, kids);
    }

    /** A reply per verdict and variant, so that the reply says which leaf decided. */
    static SmtpReply reply(Kind k, int variant) {
        int[] denyCodes = {550, 551, 553, 554};
        int[] deferCodes = {450, 451, 452, 421};
        return k == Kind.DENY ? SmtpReply.of(denyCodes[variant], "5.7.1", "refused by variant " + variant)
                : SmtpReply.of(deferCodes[variant], "4.7.1", "deferred by variant " + variant);
    }

    /** The exception of every throwing leaf. */
    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String rule) {
            super("rule " + rule + " exploded");
        }
    }

    /**
     * Builds the rules of a tree. Names are {@code prefix0}, {@code prefix1}, ... in pre-order, unique in the tree.
     *
     * @param node the tree
     * @param names the counter for names
     * @return the rule
     */
    static Rule rule(Node node, String prefix, AtomicInteger names) {
        String name = prefix + names.getAndIncrement();
        switch (node.kind()) {
            case ALLOW:
                return Rules.allow(name, "allowed by " + name);
            case DENY:
                return Rules.deny(name, "denied by " + name, reply(Kind.DENY, node.variant()));
            case DEFER:
                return Rules.defer(name, "deferred by " + name, reply(Kind.DEFER, node.variant()));
            case ABSTAIN:
                return Rules.named(name, r -> Decision.noOpinion(name, "abstained: " + name));
            case THROWS:
                return Rules.named(name, r -> {
                    throw new Boom(name);
                });
            case RETURNS_NULL:
                return Rules.named(name, r -> null);
            default:
                break;
        }
        List<Rule> kids = new ArrayList<>();
        for (Node k : node.kids()) {
            kids.add(rule(k, prefix, names));
        }
        Rule[] ks = kids.toArray(new Rule[0]);
        switch (node.kind()) {
            case FIRST_DECISIVE:
                return Rules.firstDecisive(name, ks);
            case ALL_OF:
                return Rules.allOf(name, ks);
            case ANY_OF:
                return Rules.anyOf(name, ks);
            case NOT:
                return Rules.not(name, ks[0], NOT_REPLY);
            case CHECKED_ALLOW:
                return Rules.checkedAllow(name, ks[0], java.util.Arrays.copyOfRange(ks, 1, ks.length));
            default:
                throw new AssertionError(node.kind());
        }
    }

    static Rule rule(Node node) {
        return rule(node, "n", new AtomicInteger());
    }

    /**
     * The reference model: what the tree decides, from the javadoc's truth tables. Names are assigned in the same
     * pre-order as {@link #rule(Node, String, AtomicInteger)}.
     *
     * @param node the tree
     * @param prefix the name prefix
     * @param names the counter for names, advanced past every node of the tree (asked or not)
     * @param asked the names of the leaves the model asks, in order
     * @return the outcome
     */
    static Outcome model(Node node, String prefix, AtomicInteger names, List<String> asked) {
        String name = prefix + names.getAndIncrement();
        switch (node.kind()) {
            case ALLOW:
                asked.add(name);
                return new Outcome(Verdict.ALLOW, null, "allowed by " + name, name);
            case DENY:
                asked.add(name);
                return new Outcome(Verdict.DENY, reply(Kind.DENY, node.variant()), "denied by " + name, name);
            case DEFER:
                asked.add(name);
                return new Outcome(Verdict.DEFER, reply(Kind.DEFER, node.variant()), "deferred by " + name, name);
            case ABSTAIN:
                asked.add(name);
                return new Outcome(Verdict.NO_OPINION, null, "abstained: " + name, name);
            case THROWS:
                asked.add(name);
                return new Outcome(Verdict.DEFER, SmtpReply.TEMPORARY_FAILURE,
                        "rule failed: " + new Boom(name), name);
            case RETURNS_NULL:
                asked.add(name);
                return new Outcome(Verdict.DEFER, SmtpReply.TEMPORARY_FAILURE,
                        "rule failed: java.lang.NullPointerException: rule " + name + " returned null", name);
            default:
                break;
        }
        // Evaluate lazily in order, but advance the name counter past members that are never asked.
        List<Node> kids = node.kids();
        int[] firstName = new int[kids.size()];
        int next = names.get();
        for (int i = 0; i < kids.size(); i++) {
            firstName[i] = next;
            next += size(kids.get(i));
        }
        names.set(next);
        java.util.function.IntFunction<Outcome> ask = i -> model(kids.get(i), prefix,
                new AtomicInteger(firstName[i]), asked);
        String abstained = "no member rule had an opinion";
        switch (node.kind()) {
            case FIRST_DECISIVE: {
                for (int i = 0; i < kids.size(); i++) {
                    Outcome o = ask.apply(i);
                    if (o.verdict() != Verdict.NO_OPINION) {
                        return o;
                    }
                }
                return new Outcome(Verdict.NO_OPINION, null, abstained, name);
            }
            case ALL_OF: {
                Outcome last = null;
                for (int i = 0; i < kids.size(); i++) {
                    last = ask.apply(i);
                    if (last.verdict() != Verdict.ALLOW) {
                        return last;
                    }
                }
                return last;
            }
            case ANY_OF: {
                Outcome firstDefer = null;
                Outcome firstDeny = null;
                for (int i = 0; i < kids.size(); i++) {
                    Outcome o = ask.apply(i);
                    if (o.verdict() == Verdict.ALLOW) {
                        return o;
                    }
                    if (o.verdict() == Verdict.DEFER && firstDefer == null) {
                        firstDefer = o;
                    }
                    if (o.verdict() == Verdict.DENY && firstDeny == null) {
                        firstDeny = o;
                    }
                }
                return firstDefer != null ? firstDefer : firstDeny != null ? firstDeny
                        : new Outcome(Verdict.NO_OPINION, null, abstained, name);
            }
            case NOT: {
                Outcome o = ask.apply(0);
                switch (o.verdict()) {
                    case ALLOW:
                        return new Outcome(Verdict.DENY, NOT_REPLY, "negated: " + o.reason(), name);
                    case DENY:
                        return new Outcome(Verdict.ALLOW, null, "negated: " + o.reason(), name);
                    default:
                        return o;
                }
            }
            case CHECKED_ALLOW: {
                Outcome x = ask.apply(0);
                if (x.verdict() != Verdict.ALLOW) {
                    return x;
                }
                for (int i = 1; i < kids.size(); i++) {
                    Outcome c = ask.apply(i);
                    if (c.verdict() == Verdict.DENY || c.verdict() == Verdict.DEFER) {
                        return c;
                    }
                }
                return x;
            }
            default:
                throw new AssertionError(node.kind());
        }
    }

    static Outcome model(Node node) {
        return model(node, "n", new AtomicInteger(), new ArrayList<>());
    }

    /** @return the number of nodes of the tree */
    static int size(Node node) {
        int n = 1;
        for (Node k : node.kids()) {
            n += size(k);
        }
        return n;
    }

    /** A rule that records the name of every leaf asked, wrapping a tree's rules; see {@link #tracked}. */
    static Rule tracked(Node node, String prefix, AtomicInteger names, List<String> asked) {
        String name = prefix + names.get();
        if (LEAVES.contains(node.kind())) {
            Rule leaf = rule(node, prefix, names);
            return Rules.named(name, r -> {
                asked.add(name);
                return leaf.decide(r);
            });
        }
        names.getAndIncrement();
        List<Rule> kids = new ArrayList<>();
        for (Node k : node.kids()) {
            kids.add(tracked(k, prefix, names, asked));
        }
        Rule[] ks = kids.toArray(new Rule[0]);
        switch (node.kind()) {
            case FIRST_DECISIVE:
                return Rules.firstDecisive(name, ks);
            case ALL_OF:
                return Rules.allOf(name, ks);
            case ANY_OF:
                return Rules.anyOf(name, ks);
            case NOT:
                return Rules.not(name, ks[0], NOT_REPLY);
            case CHECKED_ALLOW:
                return Rules.checkedAllow(name, ks[0], java.util.Arrays.copyOfRange(ks, 1, ks.length));
            default:
                throw new AssertionError(node.kind());
        }
    }
}
