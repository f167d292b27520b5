package dev.weft.bundle.manifest;

/** The range one symbolic dim may take in a shape profile; {@code opt} is what kernels were tuned for. */
public record DimRange(long min, long opt, long max) {
  public DimRange {
    if (min < 0 || min > opt || opt > max) {
      throw new IllegalArgumentException("dim range needs 0 <= min <= opt <= max, got " + min + ".." + opt + ".." + max);
    }
  }

  public static DimRange of(long min, long max) { return new DimRange(min, max, max); }

  public boolean contains(long v) { return v >= min && v <= max; }

  @Override
  public String toString() { return min + ".." + max; }
}
