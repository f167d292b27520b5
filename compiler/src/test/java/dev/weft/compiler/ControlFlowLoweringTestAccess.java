package dev.weft.compiler;

import dev.weft.ir.Module;

/** ControlFlowLoweringTest's models for tests in other packages. */
public final class ControlFlowLoweringTestAccess {
  private ControlFlowLoweringTestAccess() {}

  public static Module ifModel() { return ControlFlowLoweringTest.ifModel(); }
}
