package io.relaycontrol.core.limit;

import io.github.bucket4j.ConsumptionProbe;

/** Where a limit's buckets live. Implementations are thread-safe. Not API. */
interface BucketStore {

    /**
     * Charges {@code tokens} to the bucket of {@code key}, creating it with {@code plan} if needed.
     *
     * @throws RuntimeException if the store fails (the caller applies its {@link FailureMode})
     */
    ConsumptionProbe tryConsume(String key, BucketPlan plan, long tokens);

    /** @return for {@code describe()}, e.g. {@code local (at most 100000 keys)} */
    String description();
}
