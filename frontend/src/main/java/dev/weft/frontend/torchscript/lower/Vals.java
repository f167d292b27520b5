package dev.weft.frontend.torchscript.lower;

import dev.weft.frontend.torchscript.ScriptObject;
import dev.weft.ir.Value;

/**
 * What the partial evaluator computes besides plain Python values (Long, Double, Boolean,
 * String, PyNone, PyTuple, List) and IR tensor {@link Value}s.
 */
final class Vals {
  private Vals() {}

  /** A module instance from data.pkl and its attribute path from the root ("" for the root). */
  record ModuleRef(ScriptObject obj, String path) {
    String child(String name) { return path.isEmpty() ? name : path + "." + name; }
  }

  /** An int known only at run time: an IR i64 scalar (rank 0), e.g. a symbolic dim from size(). */
  record SymInt(Value value) {}

  /** A dotted global name not yet resolved: {@code torch}, {@code ops.aten}, {@code __torch__.a.b}. */
  record Ns(String path) {}

  /** A method looked up on a module: {@code (m).forward}. */
  record BoundMethod(ModuleRef self, String name) {}

  /** A Python builtin (int, len, range, getattr, ...). */
  record Builtin(String name) {}

  /** {@code range(start, stop, step)} with constant bounds. */
  record Range(long start, long stop, long step) {
    long length() {
      if (step > 0) return start >= stop ? 0 : (stop - start + step - 1) / step;
      return start <= stop ? 0 : (start - stop - step - 1) / -step;
    }
  }

  /** A device ({@code cpu}); only ever passed along, never acted on. */
  record Device(String name) {}

  /** The result of {@code uninitialized(T)}: a placeholder that must never be used. */
  enum Uninitialized { VALUE }
}
