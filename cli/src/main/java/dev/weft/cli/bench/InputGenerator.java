package dev.weft.cli.bench;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic, seeded inputs for a benchmark when no input files are given. Floats are standard
 * normal; integers are uniform in [0, bound) so that token ids stay inside the embedding table
 * they index (a random int64 would read far outside it); masks are all ones.
 */
final class InputGenerator {
  /** Integer inputs stay below this even when the table is larger: small ids are valid in any vocabulary. */
  static final long MAX_INT = 100;
  /** Ops an index input may pass through on its way to the gather that uses it. */
  private static final Set<String> PASS_THROUGH =
      Set.of("cast", "reshape", "unsqueeze", "squeeze", "flatten", "identity", "expand", "view", "transpose");
  private static final int MAX_HOPS = 8;

  private InputGenerator() {}

  /** Specs for a model's graph inputs; symbolic dims take {@code shapes} (by input name) or 1. */
  static List<InputSpec> specsOf(Graph g, Map<String, long[]> shapes) {
    List<InputSpec> out = new ArrayList<>();
    for (Value v : g.inputs()) {
      if (!(v.type() instanceof TensorType t)) {
        throw new WeftException("input '" + v.name() + "' is " + v.type() + ": only tensor inputs can be generated; pass --inputs DIR");
      }
      long[] shape = shapes.containsKey(v.name()) ? shapes.get(v.name()) : concrete(v.name(), t.shape());
      long vocab = vocabOf(v);
      out.add(new InputSpec(v.name(), t.dtype(), shape, vocab > 0 ? Math.min(vocab, MAX_INT) : MAX_INT));
    }
    return out;
  }

  /** Specs for a bundle's manifest inputs: no graph to look into, so integers stay in [0, 100). */
  static List<InputSpec> specsOf(List<TensorSpec> inputs, Map<String, long[]> shapes) {
    List<InputSpec> out = new ArrayList<>();
    for (TensorSpec s : inputs) {
      long[] shape = shapes.get(s.name());
      if (shape == null) {
        shape = new long[s.shape().size()];
        for (int i = 0; i < shape.length; i++) {
          DimExpr d = s.shape().get(i);
          shape[i] = d.isStatic() ? d.factor() : 1;
        }
      }
      out.add(new InputSpec(s.name(), s.dtype(), shape, MAX_INT));
    }
    return out;
  }

  private static long[] concrete(String name, Shape s) {
    if (!s.isRanked()) throw new WeftException("input '" + name + "' has no known rank: give its shape with --shapes " + name + "=DxD...");
    long[] out = new long[s.rank()];
    for (int i = 0; i < out.length; i++) out[i] = s.dim(i) instanceof Dim.Static st ? st.size() : 1;
    return out;
  }

  /**
   * The row count of the first embedding table the input indexes: the data operand of the first
   * gather reached from the input (through casts and reshapes) as its indices; 0 if none.
   */
  static long vocabOf(Value input) {
    ArrayDeque<Value> queue = new ArrayDeque<>();
    Set<Value> seen = new HashSet<>();
    queue.add(input);
    for (int hops = 0; hops <= MAX_HOPS && !queue.isEmpty(); hops++) {
      ArrayDeque<Value> next = new ArrayDeque<>();
      for (Value v : queue) {
        for (Use u : v.uses()) {
          Node n = u.user();
          if (n == null) continue;
          if (n.opName().equals("gather") && u.index() == 1) {
            long rows = gatheredRows(n);
            if (rows > 0) return rows;
          } else if (PASS_THROUGH.contains(n.opName())) {
            for (Value o : n.outputs()) if (seen.add(o)) next.add(o);
          }
        }
      }
      queue = next;
    }
    return 0;
  }

  private static long gatheredRows(Node gather) {
    if (!(gather.input(0).type() instanceof TensorType t) || !t.shape().isRanked()) return 0;
    long axis = gather.attribute("axis") == null ? 0 : gather.attrs().getInt("axis");
    int rank = t.shape().rank();
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return 0;
    return t.shape().dim((int) axis) instanceof Dim.Static s ? s.size() : 0;
  }

  /** One tensor per spec, from one seeded generator, so runs with the same seed see the same data. */
  static List<Tensor> generate(List<InputSpec> specs, long seed) {
    Random r = new Random(seed);
    List<Tensor> out = new ArrayList<>();
    for (InputSpec s : specs) out.add(generate(s, r));
    return out;
  }

  private static Tensor generate(InputSpec s, Random r) {
    DType d = s.dtype();
    Tensor t = Tensor.zeros(d, s.shape());
    long n = t.size();
    if (d == DType.BOOL) {
      for (long i = 0; i < n; i++) t.setBool(i, s.isMask() || r.nextBoolean());
    } else if (d.isInteger()) {
      for (long i = 0; i < n; i++) t.setLong(i, s.isMask() ? 1 : r.nextLong(s.intBound()));
    } else if (d.isFloat()) {
      for (long i = 0; i < n; i++) t.setDouble(i, s.isMask() ? 1.0 : r.nextGaussian());
    } else {
      throw new WeftException("input '" + s.name() + "' is " + d + ": cannot be generated; pass --inputs DIR");
    }
    return t;
  }
}
