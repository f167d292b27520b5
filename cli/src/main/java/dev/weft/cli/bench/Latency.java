package dev.weft.cli.bench;

import java.util.Arrays;

/** Latency samples of one engine, in nanoseconds, and the statistics the report prints. */
record Latency(long[] nanos) {
  Latency {
    if (nanos.length == 0) throw new IllegalArgumentException("no samples");
    nanos = nanos.clone();
    Arrays.sort(nanos);
  }

  /** The middle sample (the mean of the two middle ones for an even count), in ms. */
  double medianMs() {
    int n = nanos.length;
    double mid = n % 2 == 1 ? nanos[n / 2] : (nanos[n / 2 - 1] + nanos[n / 2]) / 2.0;
    return mid / 1e6;
  }

  /** Nearest-rank 90th percentile, in ms: the smallest sample at or above 90% of them. */
  double p90Ms() {
    int rank = (int) Math.ceil(0.9 * nanos.length);
    return nanos[Math.max(0, rank - 1)] / 1e6;
  }

  double minMs() { return nanos[0] / 1e6; }

  /** Sequential runs per second at the median latency. */
  double throughput() { return 1000.0 / medianMs(); }

  int iterations() { return nanos.length; }

  /** The median of arbitrary samples (used per step by the profiler). */
  static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
