package io.relaycontrol.testkit;

import io.relaycontrol.core.audit.AuditReport;
import io.relaycontrol.core.audit.RelayAudit;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on an open-relay self-audit ({@link RelayAudit}): {@link #passes()} runs it and fails with the whole
 * report (every wrongly allowed and wrongly refused probe, each with its decision's {@code explain()}).
 * {@link DeciderAssert#passesRelayAudit()} is the usual way in. Not thread-safe (one per assertion).
 *
 * @since 0.2.0
 */
public final class RelayAuditAssert extends AbstractAssert<RelayAuditAssert, RelayAudit> {

    private AuditReport report;

    RelayAuditAssert(RelayAudit actual) {
        super(actual, RelayAuditAssert.class);
    }

    /**
     * @param audit the audit to run
     * @return assertions on it
     */
    public static RelayAuditAssert assertThat(RelayAudit audit) {
        return new RelayAuditAssert(audit);
    }

    /**
     * Runs the audit (once) and requires that nothing was wrongly allowed and nothing wrongly refused.
     *
     * @return this
     */
    public RelayAuditAssert passes() {
        AuditReport r = report();
        if (!r.passed()) {
            failWithMessage("expected the relay audit to pass, but: %s%n%s", r.verdict(), r.describe());
        }
        return this;
    }

    /**
     * Runs the audit (once) and requires only that no probe that must be refused was accepted.
     *
     * @return this
     */
    public RelayAuditAssert isNotAnOpenRelay() {
        AuditReport r = report();
        if (r.isOpenRelay()) {
            failWithMessage("expected no open relay, but: %s%n%s", r.verdict(), r.describe());
        }
        return this;
    }

    /** @return the report of the audit, run on first use */
    public AuditReport report() {
        isNotNull();
        if (report == null) {
            report = actual.run();
        }
        return report;
    }
}
