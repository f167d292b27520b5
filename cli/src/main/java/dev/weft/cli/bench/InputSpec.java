package dev.weft.cli.bench;

import dev.weft.bundle.DType;

/**
 * What a generated input must look like: its dtype and concrete shape, and for integer inputs
 * the exclusive upper bound of the values (an embedding table's row count, capped).
 */
record InputSpec(String name, DType dtype, long[] shape, long intBound) {
  /** Inputs whose name says they are masks are generated as all ones. */
  boolean isMask() { return name.toLowerCase(java.util.Locale.ROOT).contains("mask"); }
}
