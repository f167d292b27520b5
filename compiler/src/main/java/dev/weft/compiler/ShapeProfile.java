package dev.weft.compiler;

import dev.weft.bundle.WeftException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Input shapes to specialize kernels on, as {@code weft compile --shapes} takes them:
 * {@code 'input_ids=1x128,attention_mask=1x128'}. A dim may be a range {@code MIN..MAX}
 * ({@code 'x=1..8x16'}) when the model declares it symbolic: the graph is compiled at MAX, the
 * dim stays symbolic in the program (buffer shapes, launch extents, copy sizes; arena sized for
 * MAX) and the manifest records it in a shape profile, so the runtime takes any value in the
 * range. Supported: one range dim per compile, or two that kernels both take at run time
 * ({@code 'x=1..4x1..64'}, {@link dev.weft.codegen.kir.DimFit#fitTwo}). On a leading input axis a single range is first tried as
 * axis 0 of every value carrying it, in kernels that work on it slice by slice (batch-style);
 * on any other input axis (a sequence length), or where slice by slice fails, kernels take it as
 * a run-time argument ({@link GroupFit}). What
 * neither can follow (a reshape merging it, a concat along it, shape arithmetic folded into data,
 * a weight that is not prefix-consistent) is a {@link SymbolicDimException} at compile time; so is
 * a range on a dim the model declares static.
 */
public record ShapeProfile(Map<String, long[]> shapes, Map<String, long[]> minimums) {
  public static final ShapeProfile NONE = new ShapeProfile(Map.of(), Map.of());

  public static ShapeProfile parse(String spec) {
    if (spec == null || spec.isBlank()) return NONE;
    Map<String, long[]> max = new LinkedHashMap<>();
    Map<String, long[]> min = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) throw new WeftException("--shapes: expected NAME=DIMS, got '" + part + "'");
      String name = part.substring(0, eq).strip();
      String dims = part.substring(eq + 1).strip();
      String[] ds = dims.isEmpty() ? new String[0] : dims.split("x");
      long[] hi = new long[ds.length];
      long[] lo = new long[ds.length];
      for (int i = 0; i < ds.length; i++) {
        String d = ds[i].strip();
        try {
          int dots = d.indexOf("..");
          if (dots >= 0) {
            lo[i] = Long.parseLong(d.substring(0, dots));
            hi[i] = Long.parseLong(d.substring(dots + 2));
          } else {
            lo[i] = hi[i] = Long.parseLong(d);
          }
        } catch (NumberFormatException e) {
          throw new WeftException("--shapes: dim " + i + " of '" + name + "' is not a number or MIN..MAX: '" + d + "'");
        }
        if (lo[i] < 0 || hi[i] < lo[i]) throw new WeftException("--shapes: dim " + i + " of '" + name + "' has an empty range " + d);
      }
      if (max.put(name, hi) != null) throw new WeftException("--shapes: '" + name + "' is given twice");
      min.put(name, lo);
    }
    return new ShapeProfile(max, min);
  }
}
