package io.relaycontrol.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark thread's operation count, and its CPU time per iteration ({@link CpuTime}): the JMH state that the
 * benchmarks' per-thread cursors extend, so that each iteration prints its operations per CPU-second of the
 * benchmark thread. A benchmark method adds one to {@link #ops} per operation (every candidate pays the same count).
 */
@State(Scope.Thread)
public class CpuCounter {

    /** Operations done by this thread so far. */
    long ops;
    private final CpuTime cpu = new CpuTime();

    /** Starts the CPU clock of this iteration. */
    @Setup(Level.Iteration)
    public void startIteration() {
        cpu.start(ops);
    }

    /** Prints this iteration's operations per CPU-second of the benchmark thread. */
    @TearDown(Level.Iteration)
    public void stopIteration() {
        cpu.stop(ops, unit());
    }

    /** @return what an operation is called in the printed line */
    String unit() {
        return "operations";
    }
}
