package dev.weft.codegen.llvm;

import java.util.List;

/** A target name (cpu architecture, sm_XX, gfxNNN, or a registered target) that Weft does not know. */
public class UnknownTargetException extends CodegenException {
  private final transient List<String> valid;

  public UnknownTargetException(String what, String given, List<String> valid) {
    super("unknown " + what + " '" + given + "'; valid: " + String.join(", ", valid));
    this.valid = List.copyOf(valid);
  }

  /** The names that would have been accepted. */
  public List<String> valid() { return valid; }
}
