package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Attrs;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Classic ML (ai.onnx.ml) ops with no sensible core decomposition: the custom
 * {@code tree_ensemble} (ONNX TreeEnsemble-5). X is [N, F]; the result is [N, n_targets] in X's
 * dtype. Node arrays are parallel: {@code nodes_modes} uses ONNX's codes (0 LEQ, 1 LT, 2 GTE,
 * 3 GT, 4 EQ, 5 NEQ, 6 MEMBER); a true/false branch goes to a node, or to a leaf when its
 * {@code nodes_*leafs} flag is set. A root whose two branches are the same leaf is that leaf
 * (ONNX's degenerate tree: its leaf index is the root index). {@code membership_values} lists
 * the members of each MEMBER node in node order, each set ended by NaN. Leaves add their weight
 * to their target; {@code aggregate_function} SUM, AVERAGE (sum / trees), MIN or MAX (start at
 * the dtype's max/min, as ONNX's reference); then {@code post_transform} NONE, SOFTMAX,
 * LOGISTIC, SOFTMAX_ZERO (zeros stay 0) or PROBIT (the normal quantile).
 */
public final class MlOps implements OpLibrary {
  public static final List<String> AGGREGATES = List.of("AVERAGE", "SUM", "MIN", "MAX");
  public static final List<String> TRANSFORMS = List.of("NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT");
  static final int MEMBER = 6;

  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.custom("tree_ensemble").inputs(1)
        .required("n_targets", Attribute.Kind.INT)
        .attr("aggregate_function", Attribute.of("SUM"))
        .attr("post_transform", Attribute.of("NONE"))
        .required("tree_roots", Attribute.Kind.INTS)
        .required("nodes_featureids", Attribute.Kind.INTS)
        .required("nodes_modes", Attribute.Kind.INTS)
        .required("nodes_splits", Attribute.Kind.FLOATS)
        .required("nodes_truenodeids", Attribute.Kind.INTS)
        .required("nodes_falsenodeids", Attribute.Kind.INTS)
        .required("nodes_trueleafs", Attribute.Kind.INTS)
        .required("nodes_falseleafs", Attribute.Kind.INTS)
        .optional("nodes_missing_value_tracks_true", Attribute.Kind.INTS)
        .required("leaf_targetids", Attribute.Kind.INTS)
        .required("leaf_weights", Attribute.Kind.FLOATS)
        .optional("membership_values", Attribute.Kind.FLOATS)
        .infer(MlOps::infer)
        .kernel(MlOps::run)
        .doc("ONNX TreeEnsemble-5 over X [N, F] -> [N, n_targets].")
        .build());
  }

  /** The ensemble, validated once; shared by the shape function and the kernel. */
  record Forest(long[] roots, long[] feature, long[] mode, double[] split, long[] trueId, long[] falseId,
      long[] trueLeaf, long[] falseLeaf, long[] missingTrue, long[] target, double[] weight,
      List<Set<Double>> members, int targets, String aggregate, String transform) {

    static Forest of(Attrs a) {
      long[] mode = a.getInts("nodes_modes");
      int n = mode.length;
      long[] miss = a.getIntsOr("nodes_missing_value_tracks_true", new long[n]);
      Forest f = new Forest(a.getInts("tree_roots"), a.getInts("nodes_featureids"), mode, a.getFloats("nodes_splits"),
          a.getInts("nodes_truenodeids"), a.getInts("nodes_falsenodeids"), a.getInts("nodes_trueleafs"),
          a.getInts("nodes_falseleafs"), miss, a.getInts("leaf_targetids"), a.getFloats("leaf_weights"),
          members(mode, a.hasValue("membership_values") ? a.getFloats("membership_values") : new double[0]),
          Math.toIntExact(a.getInt("n_targets")), a.getString("aggregate_function"), a.getString("post_transform"));
      f.check();
      return f;
    }

    private static List<Set<Double>> members(long[] mode, double[] values) {
      List<Set<Double>> sets = new ArrayList<>();
      int k = 0;
      for (long m : mode) {
        if (m != MEMBER) {
          sets.add(null);
          continue;
        }
        Set<Double> s = new HashSet<>();
        while (k < values.length && !Double.isNaN(values[k])) s.add(values[k++]);
        if (k >= values.length) throw new IllegalArgumentException("membership_values has fewer NaN-ended sets than MEMBER nodes");
        k++;
        sets.add(s);
      }
      return sets;
    }

    private void check() {
      int n = mode.length;
      for (long[] arr : new long[][] {feature, trueId, falseId, trueLeaf, falseLeaf, missingTrue}) {
        if (arr.length != n) throw new IllegalArgumentException("node attributes have different lengths (" + arr.length + " vs " + n + " modes)");
      }
      if (split.length != n) throw new IllegalArgumentException("nodes_splits has " + split.length + " entries, expected " + n);
      if (target.length != weight.length) throw new IllegalArgumentException("leaf_targetids and leaf_weights differ in length");
      if (targets < 1) throw new IllegalArgumentException("n_targets must be positive, got " + targets);
      if (!AGGREGATES.contains(aggregate)) throw new IllegalArgumentException("unknown aggregate_function " + aggregate);
      if (!TRANSFORMS.contains(transform)) throw new IllegalArgumentException("unknown post_transform " + transform);
      for (int i = 0; i < n; i++) {
        if (mode[i] < 0 || mode[i] > MEMBER) throw new IllegalArgumentException("node " + i + " has unknown mode " + mode[i]);
        if (feature[i] < 0) throw new IllegalArgumentException("node " + i + " has negative feature id");
        checkTarget(i, trueId[i], trueLeaf[i] != 0);
        checkTarget(i, falseId[i], falseLeaf[i] != 0);
      }
      for (long t : target) if (t < 0 || t >= targets) throw new IllegalArgumentException("leaf target id " + t + " outside [0, " + targets + ")");
      for (long r : roots) if (r < 0 || r >= n) throw new IllegalArgumentException("tree root " + r + " is not a node");
    }

    private void checkTarget(int node, long id, boolean leaf) {
      long limit = leaf ? weight.length : mode.length;
      if (id < 0 || id >= limit) {
        throw new IllegalArgumentException("node " + node + " points to " + (leaf ? "leaf " : "node ") + id + " of " + limit);
      }
    }

    /** The leaf reached from root r; a walk longer than the node count is a cycle. */
    int leaf(Tensor x, long row, long features, int r) {
      int i = r;
      if (trueLeaf[i] != 0 && falseLeaf[i] != 0 && trueId[i] == falseId[i]) return i;
      for (int steps = 0; steps <= mode.length; steps++) {
        if (feature[i] >= features) throw new IllegalArgumentException("node " + i + " reads feature " + feature[i] + " of " + features);
        double v = x.getDouble(row * features + feature[i]);
        boolean go = (missingTrue[i] != 0 && Double.isNaN(v)) || switch ((int) mode[i]) {
          case 0 -> v <= split[i];
          case 1 -> v < split[i];
          case 2 -> v >= split[i];
          case 3 -> v > split[i];
          case 4 -> v == split[i];
          case 5 -> v != split[i];
          default -> members.get(i).contains(v);
        };
        long next = go ? trueId[i] : falseId[i];
        if ((go ? trueLeaf[i] : falseLeaf[i]) != 0) {
          if (next >= weight.length) throw new IllegalArgumentException("leaf " + next + " of " + weight.length);
          return (int) next;
        }
        i = (int) next;
      }
      throw new IllegalArgumentException("tree at root " + r + " has a cycle");
    }
  }

  static List<Type> infer(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.dtype().isFloat()) throw c.fail("tree_ensemble input must be float, got " + x.dtype());
    if (x.shape().isRanked() && x.rank() != 2) throw c.fail("tree_ensemble input must be [N, F], got " + x.shape());
    Forest f;
    try {
      f = Forest.of(c.attrs());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    Dim n = x.shape().isRanked() ? x.shape().dim(0) : c.fresh();
    return List.of(new TensorType(x.dtype(), Shape.of(n, Dim.of(f.targets()))));
  }

  static Object[] run(KernelContext c) {
    Tensor x = c.tensor(0);
    Forest f;
    try {
      f = Forest.of(c.attrs());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    long rows = x.dim(0), features = x.dim(1);
    int k = f.targets();
    double[] out = new double[Math.toIntExact(Math.multiplyExact(rows, (long) k))];
    double start = switch (f.aggregate()) {
      case "MIN" -> maxOf(x.dtype());
      case "MAX" -> -maxOf(x.dtype());
      default -> 0;
    };
    java.util.Arrays.fill(out, start);
    for (long row = 0; row < rows; row++) {
      int base = (int) (row * k);
      for (long root : f.roots()) {
        int leaf;
        try {
          leaf = f.leaf(x, row, features, (int) root);
        } catch (IllegalArgumentException e) {
          throw c.fail(e.getMessage());
        }
        int t = base + (int) f.target()[leaf];
        double w = f.weight()[leaf];
        out[t] = switch (f.aggregate()) {
          case "MIN" -> Math.min(out[t], w);
          case "MAX" -> Math.max(out[t], w);
          case "AVERAGE" -> out[t] + w / f.roots().length;
          default -> out[t] + w;
        };
      }
      transform(f.transform(), out, base, k);
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), new long[] {rows, k}, out));
  }

  private static double maxOf(DType t) {
    return switch (t) {
      case F64 -> Double.MAX_VALUE;
      case F16 -> 65504;
      case BF16 -> 3.3895313892515355e38;
      default -> Float.MAX_VALUE;
    };
  }

  static void transform(String kind, double[] v, int base, int k) {
    switch (kind) {
      case "SOFTMAX", "SOFTMAX_ZERO" -> {
        boolean zero = kind.equals("SOFTMAX_ZERO");
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) if (!zero || v[base + i] != 0) m = Math.max(m, v[base + i]);
        double s = 0;
        for (int i = 0; i < k; i++) {
          double e = zero && v[base + i] == 0 ? 0 : Math.exp(v[base + i] - m);
          v[base + i] = e;
          s += e;
        }
        for (int i = 0; i < k; i++) v[base + i] = s == 0 ? 0 : v[base + i] / s;
      }
      case "LOGISTIC" -> {
        for (int i = 0; i < k; i++) v[base + i] = 1 / (1 + Math.exp(-v[base + i]));
      }
      case "PROBIT" -> {
        for (int i = 0; i < k; i++) v[base + i] = probit(v[base + i]);
      }
      default -> { }
    }
  }

  /** The standard normal quantile sqrt(2) erfinv(2p - 1), by bisection on erf (p outside [0, 1]: NaN). */
  static double probit(double p) {
    if (!(p >= 0 && p <= 1)) return Double.NaN;
    if (p == 0) return Double.NEGATIVE_INFINITY;
    if (p == 1) return Double.POSITIVE_INFINITY;
    double z = 2 * p - 1, lo = -6, hi = 6;
    for (int i = 0; i < 64; i++) {
      double mid = (lo + hi) / 2;
      if (ScalarMath.erf(mid) < z) lo = mid;
      else hi = mid;
    }
    return Math.sqrt(2) * (lo + hi) / 2;
  }
}
