package dev.weft.passes;

import java.util.List;

/**
 * A set of passes found through {@link java.util.ServiceLoader}, as {@link dev.weft.ir.OpLibrary}
 * does for ops: list the class in {@code META-INF/services/dev.weft.passes.PassLibrary}.
 */
public interface PassLibrary {
  List<PassInfo> passes();
}
