package io.relaycontrol.core.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import java.util.function.Supplier;

/**
 * One bucket configuration of a limit (the default or an override), with what the stores need precomputed:
 * the key prefix in a shared store (limit name and a fingerprint of the configuration, so that a changed
 * configuration starts new buckets instead of silently reusing old ones) and the supplier Bucket4j asks for.
 * Immutable and thread-safe. Not API.
 */
final class BucketPlan {

    final BucketConfiguration configuration;
    final Supplier<BucketConfiguration> supplier;
    final String remotePrefix;
    final long capacity;
    final String description;

    BucketPlan(String limitName, BucketConfiguration configuration) {
        this.configuration = configuration;
        this.supplier = () -> configuration;
        StringBuilder canonical = new StringBuilder();
        StringBuilder description = new StringBuilder();
        long min = Long.MAX_VALUE;
        for (Bandwidth b : configuration.getBandwidths()) {
            canonical.append(b.getCapacity()).append(',').append(b.getRefillTokens()).append(',')
                    .append(b.getRefillPeriodNanos()).append(',').append(b.isRefillIntervally()).append(',')
                    .append(b.getInitialTokens()).append(',').append(b.isGready()).append(';');
            if (description.length() > 0) {
                description.append(" and ");
            }
            description.append(Bandwidths.describe(b));
            min = Math.min(min, b.getCapacity());
        }
        this.remotePrefix = "relaycontrol:limit:" + limitName + ":"
                + String.format("%08x", canonical.toString().hashCode()) + ":";
        this.capacity = min;
        this.description = description.toString();
    }

    /** @return the longest time any bandwidth of this plan takes to fill from empty */
    long nanosToFill() {
        long max = 0;
        for (Bandwidth b : configuration.getBandwidths()) {
            max = Math.max(max, Bandwidths.nanosToFill(b));
        }
        return max;
    }
}
