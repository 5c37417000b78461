package io.relaycontrol.core.rules;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;

/**
 * A base for rules that must never throw at the SMTP server: {@link #decide} asks
 * {@link #decideUnguarded(RelayRequest)} and turns an exception or a {@code null} result into a temporary
 * refusal ({@link Decision#failed}, 451 4.3.0) named after the rule, keeping the exception. Virtual machine
 * errors (out of memory) are rethrown.
 *
 * <p>Subclasses must be immutable and thread-safe like every {@link Rule}.
 *
 * @since 0.1.0
 */
public abstract class GuardedRule implements Rule {

    private final RelayDecider unguarded = this::decideUnguarded;

    /** For subclasses. */
    protected GuardedRule() {
    }

    /**
     * Decides {@code request}, failing closed (temporarily) when {@link #decideUnguarded} fails; the guard is
     * {@link Rules#decideSafely}.
     *
     * @param request the request
     * @return the decision, never {@code null}
     */
    @Override
    public final Decision decide(RelayRequest request) {
        return Rules.decideSafely(name(), unguarded, request);
    }

    /**
     * The rule's logic; may throw, which {@link #decide} turns into a temporary refusal.
     *
     * @param request the request
     * @return the decision
     */
    protected abstract Decision decideUnguarded(RelayRequest request);
}
