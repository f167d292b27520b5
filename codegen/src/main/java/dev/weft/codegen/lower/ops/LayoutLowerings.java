package dev.weft.codegen.lower.ops;

import dev.weft.codegen.lower.LoweringLibrary;
import dev.weft.codegen.lower.LoweringTable;

/**
 * Layout, indexing and data-movement lowerings (reshape family, transpose, concat, split, slice,
 * pad, gathers, scatters, generators, order ops, resize) and the trigonometric elementwise
 * ops. Each group lives in its own class; this is the library the ServiceLoader finds.
 */
public final class LayoutLowerings implements LoweringLibrary {
  @Override
  public void register(LoweringTable t) {
    ReshapeLowerings.register(t);
    WindowLowerings.register(t);
    GatherLowerings.register(t);
    ScatterLowerings.register(t);
    GenerateLowerings.register(t);
    OrderLowerings.register(t);
    ResizeLowering.register(t);
    TrigLowerings.register(t);
  }
}
