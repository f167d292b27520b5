package dev.weft.codegen.llvm;

import java.nio.charset.StandardCharsets;

/** The output of one {@link CompileRequest} and where the time went. */
public record CompileResult(String kernel, EmitKind kind, byte[] output, long optimizeNanos, long emitNanos) {
  /** The output as text (assembly). */
  public String text() { return new String(output, StandardCharsets.UTF_8); }

  public double millis() { return (optimizeNanos + emitNanos) / 1e6; }
}
