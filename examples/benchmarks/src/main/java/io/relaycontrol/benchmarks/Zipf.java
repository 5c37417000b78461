package io.relaycontrol.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Skewed draws for the benchmarks' "a few clients send most mail" runs: a Zipf distribution over {@code n} items
 * (exponent 0.99, YCSB's constant, as Caffeine's {@code GetPutBenchmark} uses through its scrambled-Zipf
 * generator), with the ranks scrambled by a fixed permutation so that the hot items are spread over the probe
 * pool instead of sitting at its start. Generated once in setup; the timed loop only reads the result.
 */
final class Zipf {

    static final double EXPONENT = 0.99;

    private Zipf() {
    }

    /**
     * @param n the number of items
     * @param draws how many indexes to draw
     * @param rnd the random source
     * @return {@code draws} indexes in {@code [0, n)}, Zipf-distributed over scrambled ranks
     */
    static int[] draw(int n, int draws, SplittableRandom rnd) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, EXPONENT);
            cdf[i] = sum;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = new int[draws];
        for (int k = 0; k < draws; k++) {
            double u = rnd.nextDouble() * sum;
            int rank = Arrays.binarySearch(cdf, u);
            if (rank < 0) {
                rank = -rank - 1;
            }
            out[k] = perm[Math.min(rank, n - 1)];
        }
        return out;
    }
}
