package dev.weft.compiler;

import dev.weft.bundle.WeftException;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.passes.TypeRefiner;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Specializes a graph's inputs on concrete shapes: the profile's, else the static dims the model
 * declares; a symbol bound in one input binds it everywhere. Fails naming the input and dim
 * that stays unknown, or a profile shape that contradicts a static dim.
 */
public final class ShapeBinding {
  private ShapeBinding() {}

  public static void bind(Graph main, ShapeProfile profile) { bind(main, profile, Map.of()); }

  /** As {@link #bind(Graph, ShapeProfile)}, with some symbols bound to other values than the profile's. */
  public static void bind(Graph main, ShapeProfile profile, Map<String, Long> override) {
    Map<String, Long> symbols = new HashMap<>();
    for (Value in : main.inputs()) {
      long[] given = profile.shapes().get(in.name());
      if (given == null || !(in.type() instanceof TensorType t) || !t.shape().isRanked()) continue;
      if (given.length != t.rank()) {
        throw new WeftException("--shapes: input '" + in.name() + "' has rank " + t.rank() + " but " + given.length + " dims were given");
      }
      for (int d = 0; d < given.length; d++) {
        Dim dim = t.shape().dim(d);
        if (dim.isStatic() && dim.size() != given[d]) {
          throw new WeftException("--shapes: input '" + in.name() + "' dim " + d + " is " + dim.size() + " in the model, not " + given[d]);
        }
        if (dim instanceof Dim.Symbol s) {
          Long prev = symbols.putIfAbsent(s.name(), given[d]);
          if (prev != null && prev != given[d]) {
            throw new WeftException("--shapes: dim '" + s.name() + "' is " + prev + " in one input and " + given[d] + " in '" + in.name() + "'");
          }
        }
      }
    }
    symbols.putAll(override);
    for (String name : profile.shapes().keySet()) {
      if (main.inputs().stream().noneMatch(v -> v.name().equals(name))) {
        throw new WeftException("--shapes: the model has no input '" + name + "' (inputs: "
            + main.inputs().stream().map(Value::name).toList() + ")");
      }
    }
    for (Value in : main.inputs()) {
      if (!(in.type() instanceof TensorType t)) throw new WeftException("input '" + in.name() + "' is " + in.type() + ", not a tensor");
      if (!t.shape().isRanked()) throw new WeftException("input '" + in.name() + "' has unknown rank: give its shape with --shapes");
      long[] sizes = new long[t.rank()];
      for (int d = 0; d < t.rank(); d++) {
        Dim dim = t.shape().dim(d);
        if (dim.isStatic()) sizes[d] = dim.size();
        else {
          Long v = symbols.get(((Dim.Symbol) dim).name());
          if (v == null) {
            throw new WeftException("input '" + in.name() + "' dim " + d + " ('" + ((Dim.Symbol) dim).name()
                + "') is symbolic: give it with --shapes '" + in.name() + "=" + example(t) + "'");
          }
          sizes[d] = v;
        }
      }
      in.setType(new TensorType(t.dtype(), Shape.of(sizes)));
    }
    TypeRefiner.refine(main);
  }

  /** A symbolic input dim that the profile gives a range {@code min < max}, and where it was first given. */
  public record RangeDim(String symbol, long min, long max, String input, int axis, String staticExample) { }

  /**
   * The range dims of {@code profile} on {@code main}'s (still unbound) inputs, at most one
   * symbol (kernels take one symbolic dim; see {@link ShapeProfile}). A range on a dim the
   * model declares static is refused: only a symbolic dim can vary at run time.
   */
  public static RangeDim rangeDim(Graph main, ShapeProfile profile) {
    java.util.List<RangeDim> all = rangeDims(main, profile, 1);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * The range dims of {@code profile} on {@code main}'s inputs, in the order first given, at most
   * {@code most} symbols (a third, or a second where {@code most} is 1, is refused naming both).
   */
  public static java.util.List<RangeDim> rangeDims(Graph main, ShapeProfile profile, int most) {
    java.util.List<RangeDim> all = new java.util.ArrayList<>();
    RangeDim found = null;
    for (Value in : main.inputs()) {
      long[] hi = profile.shapes().get(in.name());
      long[] lo = profile.minimums().get(in.name());
      if (hi == null || !(in.type() instanceof TensorType t) || !t.shape().isRanked() || hi.length != t.rank()) continue;
      for (int d = 0; d < hi.length; d++) {
        if (lo[d] == hi[d]) continue;
        Dim dim = t.shape().dim(d);
        if (!(dim instanceof Dim.Symbol s)) {
          throw new WeftException("--shapes: input '" + in.name() + "' dim " + d + " is static (" + dim.size()
              + ") in the model; only a symbolic dim can take a range " + lo[d] + ".." + hi[d]);
        }
        found = all.stream().filter(r -> r.symbol().equals(s.name())).findFirst().orElse(null);
        if (found == null && all.size() == most) {
          RangeDim first = all.get(most - 1);
          throw new WeftException("--shapes: ranges on " + (most + 1) + " symbolic dims ('" + first.symbol() + "' of '" + first.input()
              + "' and '" + s.name() + "' of '" + in.name() + "'): " + (most == 1 ? "one range dim" : most + " range dims")
              + " per compile " + (most == 1 ? "is" : "are") + " supported; give the other a static size");
        }
        if (found == null) {
          long[] example = hi.clone();
          found = new RangeDim(s.name(), lo[d], hi[d], in.name(), d, in.name() + "=" + String.join("x",
              Arrays.stream(example).mapToObj(Long::toString).toList()));
          all.add(found);
        } else if (found.min() != lo[d]) {
          throw new WeftException("--shapes: dim '" + s.name() + "' has range " + found.min() + ".." + found.max() + " in '"
              + found.input() + "' and " + lo[d] + ".." + hi[d] + " in '" + in.name() + "'");
        }
      }
    }
    return all;
  }

  private static String example(TensorType t) {
    String[] parts = new String[t.rank()];
    for (int d = 0; d < t.rank(); d++) parts[d] = t.shape().dim(d).isStatic() ? Long.toString(t.shape().dim(d).size()) : "N";
    return String.join("x", Arrays.asList(parts));
  }
}
