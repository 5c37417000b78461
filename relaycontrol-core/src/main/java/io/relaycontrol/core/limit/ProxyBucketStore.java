package io.relaycontrol.core.limit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;

/**
 * Buckets in a shared store through any Bucket4j {@link ProxyManager}; keys are prefixed with the limit's
 * name and a fingerprint of the bucket configuration ({@link BucketPlan#remotePrefix}). Not API.
 */
final class ProxyBucketStore implements BucketStore {

    private final ProxyManager<String> proxyManager;

    ProxyBucketStore(ProxyManager<String> proxyManager) {
        this.proxyManager = proxyManager;
    }

    @Override
    public ConsumptionProbe tryConsume(String key, BucketPlan plan, long tokens) {
        return proxyManager.getProxy(plan.remotePrefix + key, plan.supplier).tryConsumeAndReturnRemaining(tokens);
    }

    @Override
    public String description() {
        return "shared (" + proxyManager.getClass().getSimpleName() + ")";
    }
}
