package dev.weft.bundle.program;

import java.util.Locale;

/** Where a program buffer's bytes live (docs/KERNELS.md). */
public enum BufferKind {
  /** Bound from the caller's input tensor of the same name. */
  INPUT,
  /** Returned to the caller under its name; its own memory, not in the arena. */
  OUTPUT,
  /** Read-only, from the rank's {@code weights.safetensors} under the buffer's name. */
  WEIGHT,
  /** At {@code offset} in the rank's one arena of {@code arena_bytes}. */
  ARENA,
  /** Aliases the bytes of buffer {@code of} at {@code offset} (reshape, squeeze, identity). */
  VIEW;

  public String jsonName() { return name().toLowerCase(Locale.ROOT); }

  /** Null if unknown. */
  public static BufferKind parse(String s) {
    for (BufferKind k : values()) if (k.jsonName().equals(s)) return k;
    return null;
  }
}
