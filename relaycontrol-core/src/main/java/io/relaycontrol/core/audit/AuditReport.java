package io.relaycontrol.core.audit;

import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The result of an audit: every probe's answer in every context, the probes wrongly allowed (the server relays
 * where it must not) and wrongly refused (it loses legitimate mail), each with the decision's {@code explain()}.
 * Rendered for people by {@link #describe()} and for machines by {@link #toJson()}.
 *
 * <p>The JSON is written by a small writer in this class rather than Jackson: the report is a fixed, flat shape
 * of strings, numbers and lists, and the core module should not gain a JSON dependency for it.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class AuditReport {

    private final String target;
    private final List<AuditResult> results;
    private final List<AuditResult> wronglyAllowed;
    private final List<AuditResult> wronglyRefused;
    private final int accepted;
    private final int notJudged;
    private final int probeForms;
    private final List<String> contexts;

    private AuditReport(String target, List<AuditResult> results) {
        this.target = target;
        this.results = List.copyOf(results);
        List<AuditResult> allowed = new ArrayList<>();
        List<AuditResult> refused = new ArrayList<>();
        int acc = 0;
        int nj = 0;
        Set<String> forms = new LinkedHashSet<>();
        Set<String> ctx = new LinkedHashSet<>();
        for (AuditResult r : this.results) {
            forms.add(r.probe().id());
            ctx.add(r.context().name());
            if (r.accepted()) {
                acc++;
            }
            switch (r.judgement()) {
                case WRONGLY_ALLOWED:
                    allowed.add(r);
                    break;
                case WRONGLY_REFUSED:
                    refused.add(r);
                    break;
                case NOT_JUDGED:
                    nj++;
                    break;
                default:
                    break;
            }
        }
        this.wronglyAllowed = List.copyOf(allowed);
        this.wronglyRefused = List.copyOf(refused);
        this.accepted = acc;
        this.notJudged = nj;
        this.probeForms = forms.size();
        this.contexts = List.copyOf(ctx);
    }

    /**
     * Builds a report from results (used by the in-process audit and by the network audit).
     *
     * @param target what was audited, e.g. the policy's name or {@code smtp 127.0.0.1:25}
     * @param results the answers, in the order asked
     * @return the report
     * @throws NullPointerException if an argument or result is null
     * @throws IllegalArgumentException if the target is blank
     */
    public static AuditReport of(String target, List<AuditResult> results) {
        Objects.requireNonNull(target, "target");
        if (target.isBlank()) {
            throw new IllegalArgumentException("audit target must not be blank");
        }
        return new AuditReport(target, results);
    }

    /** @return what was audited */
    public String target() {
        return target;
    }

    /** @return every answer, in the order asked; unmodifiable */
    public List<AuditResult> results() {
        return results;
    }

    /** @return how many probes were asked (forms times contexts) */
    public int tried() {
        return results.size();
    }

    /** @return how many distinct probe forms were asked */
    public int probeForms() {
        return probeForms;
    }

    /** @return the names of the contexts asked, in order; unmodifiable */
    public List<String> contexts() {
        return contexts;
    }

    /** @return how many answers accepted the probe */
    public int accepted() {
        return accepted;
    }

    /** @return how many answers refused the probe (5xx or 4xx) */
    public int refused() {
        return results.size() - accepted;
    }

    /** @return how many answers were not judged (either answer is correct) */
    public int notJudged() {
        return notJudged;
    }

    /** @return the probes accepted that must be refused; unmodifiable */
    public List<AuditResult> wronglyAllowed() {
        return wronglyAllowed;
    }

    /** @return the probes refused that must be accepted; unmodifiable */
    public List<AuditResult> wronglyRefused() {
        return wronglyRefused;
    }

    /** @return true if any probe that must be refused was accepted */
    public boolean isOpenRelay() {
        return !wronglyAllowed.isEmpty();
    }

    /** @return true if nothing was wrongly allowed and nothing wrongly refused */
    public boolean passed() {
        return wronglyAllowed.isEmpty() && wronglyRefused.isEmpty();
    }

    /** @return the verdict line, e.g. {@code not an open relay; no legitimate mail refused} */
    public String verdict() {
        String relay = isOpenRelay()
                ? "OPEN RELAY: " + wronglyAllowed.size() + " probe(s) that must be refused were accepted"
                : "not an open relay";
        String legit = wronglyRefused.isEmpty() ? "no legitimate mail refused"
                : wronglyRefused.size() + " legitimate probe(s) wrongly refused";
        return relay + "; " + legit;
    }

    /**
     * Renders the report for people: counts, the verdict, every wrongly allowed and wrongly refused probe with
     * its decision's {@code explain()}, and a line per context.
     *
     * @return the text, lines separated by {@code \n}
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("relay audit of ").append(target).append(": ").append(results.size()).append(" probes (")
                .append(probeForms).append(" forms in ").append(contexts.size()).append(" contexts), ")
                .append(accepted).append(" accepted, ").append(refused()).append(" refused, ")
                .append(notJudged).append(" not judged\n");
        sb.append("verdict: ").append(verdict()).append('\n');
        section(sb, "wrongly allowed", wronglyAllowed);
        section(sb, "wrongly refused", wronglyRefused);
        Map<String, int[]> perContext = new LinkedHashMap<>();
        for (AuditResult r : results) {
            int[] c = perContext.computeIfAbsent(r.context().name(), k -> new int[4]);
            c[0]++;
            c[r.accepted() ? 1 : 2]++;
            if (r.judgement() == AuditResult.Judgement.WRONGLY_ALLOWED
                    || r.judgement() == AuditResult.Judgement.WRONGLY_REFUSED) {
                c[3]++;
            }
        }
        sb.append("contexts:\n");
        perContext.forEach((name, c) -> sb.append("  ").append(name).append(": ").append(c[0]).append(" probes, ")
                .append(c[1]).append(" accepted, ").append(c[2]).append(" refused, ").append(c[3])
                .append(" wrong\n"));
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<AuditResult> list) {
        if (list.isEmpty()) {
            return;
        }
        sb.append(title).append(" (").append(list.size()).append("):\n");
        for (AuditResult r : list) {
            sb.append("  ").append(r.summary()).append('\n');
            for (String line : r.decision().explain().split("\n")) {
                sb.append("      ").append(line).append('\n');
            }
        }
    }

    /**
     * Renders the report as one JSON object: {@code target}, {@code verdict}, {@code openRelay},
     * {@code passed}, the counts, and {@code wronglyAllowed}, {@code wronglyRefused} and {@code results} as
     * arrays of objects ({@code probe}, {@code origin}, {@code description}, {@code context}, {@code sender},
     * {@code recipient}, {@code expected}, {@code accepted}, {@code stage}, {@code verdict}, {@code reply},
     * {@code rule}, {@code explain}).
     *
     * @return the JSON text
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256 + results.size() * 200);
        sb.append('{');
        field(sb, "target", target).append(',');
        field(sb, "verdict", verdict()).append(',');
        sb.append("\"openRelay\":").append(isOpenRelay()).append(',');
        sb.append("\"passed\":").append(passed()).append(',');
        sb.append("\"tried\":").append(results.size()).append(',');
        sb.append("\"probeForms\":").append(probeForms).append(',');
        sb.append("\"accepted\":").append(accepted).append(',');
        sb.append("\"refused\":").append(refused()).append(',');
        sb.append("\"notJudged\":").append(notJudged).append(',');
        sb.append("\"contexts\":[");
        for (int i = 0; i < contexts.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(sb, contexts.get(i));
        }
        sb.append("],");
        array(sb, "wronglyAllowed", wronglyAllowed, true).append(',');
        array(sb, "wronglyRefused", wronglyRefused, true).append(',');
        array(sb, "results", results, false);
        return sb.append('}').toString();
    }

    private static StringBuilder array(StringBuilder sb, String name, List<AuditResult> list, boolean explain) {
        sb.append('"').append(name).append("\":[");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            AuditResult r = list.get(i);
            sb.append('{');
            field(sb, "probe", r.probe().id()).append(',');
            field(sb, "origin", r.probe().origin().name()).append(',');
            field(sb, "description", r.probe().description()).append(',');
            field(sb, "context", r.context().name()).append(',');
            field(sb, "sender", r.probe().senderIn(r.context())).append(',');
            field(sb, "recipient", r.probe().recipient()).append(',');
            field(sb, "expected", r.expectation().name()).append(',');
            sb.append("\"accepted\":").append(r.accepted()).append(',');
            field(sb, "stage", r.answeredAt().name()).append(',');
            field(sb, "verdict", r.decision().verdict().name()).append(',');
            sb.append("\"reply\":");
            if (r.decision().reply().isPresent()) {
                string(sb, r.decision().reply().get().toString());
            } else {
                sb.append("null");
            }
            sb.append(',');
            field(sb, "rule", r.decision().decisive().rule());
            if (explain || r.decision().verdict() == Verdict.ALLOW && r.expectation() == Expectation.REFUSE) {
                sb.append(',');
                field(sb, "explain", r.decision().explain());
            }
            sb.append('}');
        }
        return sb.append(']');
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        return string(sb, value);
    }

    /** JSON string escaping per RFC 8259: quote, backslash and every control character. */
    static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }

    /** @return the first line of {@link #describe()} and the verdict */
    @Override
    public String toString() {
        return "AuditReport{" + target + ", " + results.size() + " probes, " + verdict() + "}";
    }
}
