package dev.weft.runtime;

import dev.weft.bundle.DTypeNames;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.ShapeProfile;
import dev.weft.bundle.manifest.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a run's inputs against the manifest and binds the symbolic dims from them: names,
 * dtypes, ranks and static dims must match; a symbol takes one value across all inputs; and
 * some shape profile must contain every bound value. Errors name the input and the axis.
 */
final class InputBinder {
  private final Manifest manifest;

  InputBinder(Manifest manifest) { this.manifest = manifest; }

  /** Where a symbol's value came from, for messages. */
  private record Source(String input, int axis, long value) {}

  Map<String, Long> bind(Map<String, Tensor> inputs) {
    Set<String> expected = new LinkedHashSet<>();
    for (TensorSpec s : manifest.inputs()) expected.add(s.name());
    for (String name : inputs.keySet()) {
      if (!expected.contains(name)) throw new InputMismatchException("unknown input \"" + name + "\" (the bundle takes " + expected + ")");
    }
    Map<String, Source> bound = new HashMap<>();
    for (TensorSpec spec : manifest.inputs()) {
      Tensor t = inputs.get(spec.name());
      if (t == null) throw new InputMismatchException("missing input \"" + spec.name() + "\" (" + describe(spec) + ")");
      if (t.dtype() != spec.dtype()) {
        throw new InputMismatchException("input \"" + spec.name() + "\" is " + DTypeNames.of(t.dtype()) + ", the bundle expects "
            + DTypeNames.of(spec.dtype()));
      }
      if (t.rank() != spec.shape().size()) {
        throw new InputMismatchException("input \"" + spec.name() + "\" has rank " + t.rank() + " " + java.util.Arrays.toString(t.shape())
            + ", the bundle expects rank " + spec.shape().size() + " " + shapeText(spec.shape()));
      }
      for (int axis = 0; axis < t.rank(); axis++) {
        DimExpr d = spec.shape().get(axis);
        long v = t.dim(axis);
        if (d.isStatic()) {
          if (v != d.factor()) {
            throw new InputMismatchException("input \"" + spec.name() + "\" axis " + axis + " is " + v + ", the bundle expects " + d.factor());
          }
          continue;
        }
        String sym = d.symbols().get(0);
        Source prev = bound.get(sym);
        if (prev == null) {
          bound.put(sym, new Source(spec.name(), axis, v));
        } else if (prev.value() != v) {
          throw new InputMismatchException("input \"" + spec.name() + "\" axis " + axis + " is " + v + " but " + sym + " = "
              + prev.value() + " from input \"" + prev.input() + "\" axis " + prev.axis());
        }
      }
    }
    Map<String, Long> values = new HashMap<>();
    bound.forEach((k, s) -> values.put(k, s.value()));
    if (!bound.isEmpty()) checkProfiles(bound);
    return values;
  }

  private void checkProfiles(Map<String, Source> bound) {
    List<String> why = new ArrayList<>();
    Source culprit = null;
    String culpritSym = null;
    for (ShapeProfile p : manifest.profiles()) {
      String miss = null;
      for (Map.Entry<String, DimRange> e : p.dims().entrySet()) {
        Source s = bound.get(e.getKey());
        if (s != null && !e.getValue().contains(s.value())) {
          miss = e.getKey();
          if (culprit == null) {
            culprit = s;
            culpritSym = e.getKey();
          }
          break;
        }
      }
      if (miss == null) return;
      why.add(p.name() + " allows " + miss + " " + p.dims().get(miss));
    }
    throw new InputMismatchException("input \"" + culprit.input() + "\" axis " + culprit.axis() + " (" + culpritSym + " = "
        + culprit.value() + ") is outside every shape profile: " + String.join(", ", why));
  }

  private static String describe(TensorSpec s) { return DTypeNames.of(s.dtype()) + " " + shapeText(s.shape()); }

  private static String shapeText(List<DimExpr> shape) {
    return shape.stream().map(DimExpr::toString).toList().toString();
  }
}
