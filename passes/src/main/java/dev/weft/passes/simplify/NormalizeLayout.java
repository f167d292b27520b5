package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Layout normalization: moves {@code transpose}s through layout-agnostic ops until they cancel
 * or merge, so that an NHWC model's round trips around our NCHW conv (TF exports:
 * {@code transpose -> conv -> transpose -> add(bias) -> relu -> transpose -> conv}) and
 * similar back-and-forth permutations disappear.
 *
 * <p>The pass looks up from a node through a <em>tree</em> of single-use elementwise ops and
 * reductions whose operands are transposes with one common permutation p ("leaves"),
 * constants, or all-ones values. Such a tree computes {@code transpose(t, p)} where t is the
 * same tree evaluated on the leaves' inputs, with constants permuted at compile time by
 * p's inverse and reduction axes remapped. Three rewrites use that:
 * <ul>
 *   <li>cancel: {@code transpose(tree, q)} becomes {@code tree'} when {@code p[q]} is the
 *       identity, else {@code transpose(tree', p[q])};
 *   <li>merge: an elementwise join of two or more transposed operands becomes one transpose
 *       of the join ({@code add(T(a), T(b)) -> T(add(a, b))});
 *   <li>fold: a transpose of a constant becomes the permuted constant (any size when the
 *       constant has no other use, so the model does not grow; else up to
 *       {@value #SHARED_CONSTANT_MAX_BYTES} bytes).
 * </ul>
 * A rewrite happens only when it removes more transposes than it adds, so no path from an
 * input to an output gains a transpose and the pass terminates. Tree nodes must have a single
 * use: a value read elsewhere in the old layout would need its computation duplicated.
 * Reshapes (and squeeze, flatten, ...) stop the walk, since they may regroup the permuted dims.
 * {@code matmul} has no transpose attributes, so a transpose feeding it stays.
 */
public final class NormalizeLayout implements Pass {
  static final int MAX_ROUNDS = 8;
  /** Deepest tree walked up from one root: keeps the walk linear and the recursion shallow. */
  static final int MAX_DEPTH = 64;
  static final long SHARED_CONSTANT_MAX_BYTES = 1L << 20;

  /** Elementwise ops with no axis semantics: computing them in another layout permutes the result. */
  static final Set<String> ELEMENTWISE = Set.of(
      "abs", "acos", "acosh", "add", "and", "asin", "asinh", "atan", "atanh", "bit_shift", "bitwise_and", "bitwise_not",
      "bitwise_or", "bitwise_xor", "ceil", "cos", "cosh", "div", "equal", "erf", "exp", "floor", "greater", "greater_equal",
      "is_inf", "is_nan", "less", "less_equal", "log", "max", "min", "mod", "mul", "neg", "not", "or", "pow", "reciprocal",
      "relu", "round", "rsqrt", "select", "sigmoid", "sign", "sin", "sinh", "sqrt", "sub", "tan", "tanh", "xor", "cast",
      "clip", "celu", "elu", "gelu", "hard_sigmoid", "hard_swish", "leaky_relu", "mish", "prelu", "selu", "shrink",
      "softplus", "softsign", "thresholded_relu", "identity");
  static final Set<String> REDUCTIONS = Set.of(
      "reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_mean", "reduce_log_sum_exp");
  static final Set<String> ARG_REDUCTIONS = Set.of("argmax", "argmin");

  @Override
  public String name() { return "normalize-layout"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    boolean any = false;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int applied = 0;
      for (Graph g : Rewrite.allGraphs(module.main())) applied += sweep(g, ctx);
      if (applied == 0) break;
      any = true;
    }
    return any;
  }

  private int sweep(Graph g, PassContext ctx) {
    int applied = 0;
    Trees trees = new Trees(g);
    for (Node n : new ArrayList<>(g.nodes())) {
      if (n.graph() == null) continue;
      int removed = 0;
      if (n.opName().equals("transpose")) {
        removed = foldConstant(n, ctx);
        if (removed == 0) removed = cancel(n, trees, ctx);
      } else if (ELEMENTWISE.contains(n.opName())) {
        removed = merge(n, trees, ctx);
      }
      if (removed > 0) {
        applied++;
        ctx.count("transposes-removed", removed);
        trees = new Trees(g);   // the graph changed under the memo
      }
    }
    return applied;
  }

  // ---- the three rewrites; each returns how many transposes it removed (net) ----

  private static int foldConstant(Node t, PassContext ctx) {
    Tensor c = Rewrite.constant(t.input(0));
    long[] q = CanonicalRules.perm(t);
    if (c == null || !Perms.valid(q, c.rank())) return 0;
    if (t.input(0).uses().size() != 1 && c.byteSize() > SHARED_CONSTANT_MAX_BYTES) return 0;
    if (!Folding.replaceWithConstants(t, List.of(Perms.transpose(c, q)), ctx)) return 0;
    ctx.count("folded-constant");
    return 1;
  }

  private static int cancel(Node t2, Trees trees, PassContext ctx) {
    Value v = t2.input(0);
    long[] q = CanonicalRules.perm(t2);
    if (!(v.type() instanceof TensorType vt) || !vt.shape().isRanked() || !Perms.valid(q, vt.rank())) return 0;
    Operand o = trees.classify(v, vt.rank(), 0);
    if (o == null || o.perm() == null) return 0;
    long[] composed = Perms.compose(o.perm(), q);
    boolean identity = Perms.isIdentity(composed);
    Tree tree = trees.collect(List.of(v), vt.rank());
    int net = 1 + tree.deadLeaves() - (identity ? 0 : 1);
    if (net <= 0) return 0;
    Rebuild rb = new Rebuild(trees, Rewrite.before(t2, ctx));
    Value w = rb.operand(v, vt.rank(), null);
    Value result = identity ? w : rb.transpose(w, composed, t2);
    if (!rb.commit(t2, result, tree)) return 0;
    ctx.count(identity ? "cancelled" : "composed");
    return net;
  }

  private static int merge(Node u, Trees trees, PassContext ctx) {
    if (u.outputCount() != 1 || !(u.output(0).type() instanceof TensorType out) || !out.shape().isRanked()) return 0;
    long[] p = trees.lift(u, 0);
    if (p == null) return 0;
    boolean identity = Perms.isIdentity(p);
    Tree tree = trees.collect(u.inputs(), out.rank());
    int net = tree.deadLeaves() - (identity ? 0 : 1);
    if (net <= 0) return 0;
    // Moving a transpose below a broadcast would make it move more data than the ones it replaces.
    for (Node leaf : tree.leaves().keySet()) if (broadcasts(leaf.output(0), out)) return 0;
    Rebuild rb = new Rebuild(trees, Rewrite.before(u, ctx));
    Value w = rb.node(u);
    Value result = identity ? w : rb.transpose(w, p, u);
    if (!rb.commit(u, result, tree)) return 0;
    ctx.count("merged");
    return net;
  }

  /** True when some dim of {@code v} is a static 1 that {@code out} broadcasts to another size. */
  private static boolean broadcasts(Value v, TensorType out) {
    Shape s = v.tensorType().shape();
    for (int i = 0; i < s.rank(); i++) {
      Dim a = s.dim(i);
      Dim b = out.shape().dim(i);
      if (a.isStatic() && a.size() == 1 && !(b.isStatic() && b.size() == 1)) return true;
    }
    return false;
  }

  // ---- trees ----

  /** How one operand of a tree node is had in the untransposed layout. */
  enum Kind { SAME, CONSTANT, LEAF, NODE }

  /** {@code perm} is the operand's permutation for LEAF and NODE, null for layout-free operands. */
  record Operand(Kind kind, long[] perm) {}

  /** The tree nodes under a root (each used once, by the tree) and its leaf transposes with their uses from the tree. */
  record Tree(List<Node> nodes, Map<Node, Integer> leaves) {
    int deadLeaves() {
      int dead = 0;
      for (var e : leaves.entrySet()) if (e.getKey().output(0).uses().size() == e.getValue()) dead++;
      return dead;
    }
  }

  /** Lifting with a memo per node, valid until the graph changes. */
  static final class Trees {
    private static final long[] FAIL = new long[0];
    private final Graph graph;
    private final Map<Node, long[]> memo = new IdentityHashMap<>();

    Trees(Graph graph) { this.graph = graph; }

    /** How operand {@code o} of a node whose result has rank {@code r} is had; null when it is not. */
    Operand classify(Value o, int r, int depth) {
      if (o == null) return new Operand(Kind.SAME, null);
      if (!(o.type() instanceof TensorType t) || !t.shape().isRanked() || t.rank() > r) return null;
      if (allOnes(t.shape())) return new Operand(Kind.SAME, null);
      Tensor c = Rewrite.constant(o);
      if (c != null) {
        boolean shared = o.uses().size() != 1;
        return shared && c.byteSize() > SHARED_CONSTANT_MAX_BYTES ? null : new Operand(Kind.CONSTANT, null);
      }
      Node p = o.producer();
      if (t.rank() != r || p == null) return null;
      if (p.opName().equals("transpose")) {
        long[] perm = CanonicalRules.perm(p);
        return Perms.valid(perm, r) ? new Operand(Kind.LEAF, perm) : null;
      }
      if (p.graph() != graph || o.uses().size() != 1 || o.uses().get(0).isGraphOutput() || depth >= MAX_DEPTH) return null;
      long[] perm = lift(p, depth + 1);
      return perm == null ? null : new Operand(Kind.NODE, perm);
    }

    /** The permutation p with {@code u's result == transpose(u', p)}, u' being u rebuilt on the leaves' inputs; null when none. */
    long[] lift(Node u, int depth) {
      long[] m = memo.get(u);
      if (m == null) {
        m = compute(u, depth);
        memo.put(u, m == null ? FAIL : m);
      }
      return m == FAIL ? null : m;
    }

    private long[] compute(Node u, int depth) {
      if (u.outputCount() != 1 || !u.subgraphs().isEmpty()) return null;
      if (!(u.output(0).type() instanceof TensorType out) || !out.shape().isRanked()) return null;
      String op = u.opName();
      if (ELEMENTWISE.contains(op)) {
        long[] p = null;
        for (Value in : u.inputs()) {
          Operand o = classify(in, out.rank(), depth);
          if (o == null) return null;
          if (o.perm() == null) continue;
          if (p != null && !Arrays.equals(p, o.perm())) return null;
          p = o.perm();
        }
        return p;
      }
      if (!REDUCTIONS.contains(op) && !ARG_REDUCTIONS.contains(op)) return null;
      if (u.inputCount() > 1 && u.input(1) != null) return null;   // axes as an operand
      Value in = u.input(0);
      if (!(in.type() instanceof TensorType it) || !it.shape().isRanked()) return null;
      Operand o = classify(in, it.rank(), depth);
      if (o == null || o.perm() == null) return null;
      boolean[] reduced = reducedAxes(u, it.rank());
      if (reduced == null) return null;
      return u.attrs().getBool("keepdims") ? o.perm() : Perms.dropAxes(o.perm(), reduced);
    }

    /** The nodes and leaves under {@code operands} (of a node whose result has rank r), as classified. */
    Tree collect(List<Value> operands, int r) {
      Tree tree = new Tree(new ArrayList<>(), new LinkedHashMap<>());
      for (Value v : operands) collect(v, r, tree);
      return tree;
    }

    private void collect(Value v, int r, Tree tree) {
      Operand o = classify(v, r, 0);
      if (o == null) return;
      switch (o.kind()) {
        case LEAF -> tree.leaves().merge(v.producer(), 1, Integer::sum);
        case NODE -> {
          Node u = v.producer();
          tree.nodes().add(u);
          int rank = ELEMENTWISE.contains(u.opName()) ? r : u.input(0).tensorType().rank();
          for (Value in : u.inputs()) collect(in, rank, tree);
        }
        default -> { }
      }
    }
  }

  /** Per axis of a reduction's operand (rank r): reduced or not; null when the axes are invalid. */
  static boolean[] reducedAxes(Node u, int r) {
    boolean[] reduced = new boolean[r];
    long[] axes = ARG_REDUCTIONS.contains(u.opName())
        ? new long[] {u.attrs().getInt("axis")}
        : u.attrs().getIntsOr("axes", null);
    if (axes == null) {
      Arrays.fill(reduced, true);   // absent axes: every axis
      return reduced;
    }
    for (long a : axes) {
      long k = a < 0 ? a + r : a;
      if (k < 0 || k >= r) return null;
      reduced[(int) k] = true;
    }
    return reduced;
  }

  private static boolean allOnes(Shape s) {
    if (!s.isStatic()) return false;
    for (long d : s.sizes()) if (d != 1) return false;
    return true;
  }

  // ---- rebuilding a tree in the untransposed layout ----

  private static final class Rebuild {
    private final Trees trees;
    private final GraphBuilder gb;
    private final List<Node> created = new ArrayList<>();
    private final Map<Node, Value> built = new LinkedHashMap<>();

    Rebuild(Trees trees, GraphBuilder gb) {
      this.trees = trees;
      this.gb = gb;
    }

    /** Operand {@code v} of a node with result rank r and permutation {@code consumerPerm}, untransposed. */
    Value operand(Value v, int r, long[] consumerPerm) {
      Operand o = trees.classify(v, r, 0);
      return switch (o.kind()) {
        case SAME -> v;
        case CONSTANT -> record(gb.constant(Perms.untranspose(Rewrite.constant(v), consumerPerm), v.name()));
        case LEAF -> v.producer().input(0);
        case NODE -> node(v.producer());
      };
    }

    /** Tree node {@code u} rebuilt on untransposed operands, with its axes remapped. */
    Value node(Node u) {
      Value done = built.get(u);
      if (done != null) return done;
      List<Value> inputs = new ArrayList<>();
      Map<String, Attribute> attrs = new TreeMap<>(u.attributes());
      if (ELEMENTWISE.contains(u.opName())) {
        int r = u.output(0).tensorType().rank();
        long[] p = trees.lift(u, 0);
        for (Value in : u.inputs()) inputs.add(in == null ? null : operand(in, r, p));
      } else {
        Value in = u.input(0);
        int r = in.tensorType().rank();
        long[] pin = trees.classify(in, r, 0).perm();
        inputs.add(operand(in, r, pin));
        boolean[] reduced = reducedAxes(u, r);
        if (ARG_REDUCTIONS.contains(u.opName())) {
          for (int i = 0; i < r; i++) if (reduced[i]) attrs.put("axis", Attribute.of(pin[i]));
        } else if (u.attrs().hasValue("axes")) {
          long[] axes = new long[u.attrs().getInts("axes").length];
          int k = 0;
          for (int i = 0; i < r; i++) if (reduced[i]) axes[k++] = pin[i];
          Arrays.sort(axes, 0, k);
          attrs.put("axes", Attribute.of(Arrays.copyOf(axes, k)));
        }
      }
      Value out = record(gb.at(u.location()).op(u.opName(), inputs, attrs, List.of(u.output(0).name())).get(0));
      built.put(u, out);
      return out;
    }

    Value transpose(Value w, long[] perm, Node at) {
      return record(gb.at(at.location()).op("transpose", List.of(w), Map.of("perm", Attribute.of(perm)),
          List.of(at.output(0).name())).get(0));
    }

    private Value record(Value v) {
      created.add(v.producer());
      return v;
    }

    /** Puts {@code result} in place of {@code root} and removes what died; false (graph unchanged) when it may not. */
    boolean commit(Node root, Value result, Tree tree) {
      String rootName = root.output(0).name();
      if (!compatible(root.output(0).type(), result.type()) || !Rewrite.replace(root.output(0), result)) {
        for (int i = created.size() - 1; i >= 0; i--) Rewrite.eraseIfDead(created.get(i));
        return false;
      }
      Rewrite.eraseIfDead(root);
      for (Node n : tree.nodes()) Rewrite.eraseIfDead(n);   // parents come before their operands
      for (Node leaf : tree.leaves().keySet()) Rewrite.eraseIfDead(leaf);
      // Rebuilt values take the names of those they replace, so printed IR still reads like the
      // source; a graph output keeps the name the model gave it.
      built.forEach((old, v) -> {
        if (old != root && old.graph() == null && !isOutput(v)) v.setName(old.output(0).name());
      });
      if (root.graph() == null && created.contains(result.producer()) && !built.containsValue(result) && !isOutput(result)) {
        result.setName(rootName);
      }
      return true;
    }
  }

  private static boolean isOutput(Value v) {
    for (Use u : v.uses()) if (u.isGraphOutput()) return true;
    return false;
  }

  /** Same dtype and rank, equal sizes where both dims are static (the verifier's rule). */
  private static boolean compatible(Type a, Type b) {
    if (!(a instanceof TensorType ta) || !(b instanceof TensorType tb) || ta.dtype() != tb.dtype()) return false;
    if (!ta.shape().isRanked() || !tb.shape().isRanked()) return ta.shape().isRanked() == tb.shape().isRanked();
    if (ta.rank() != tb.rank()) return false;
    for (int i = 0; i < ta.rank(); i++) {
      Dim x = ta.shape().dim(i);
      Dim y = tb.shape().dim(i);
      if (x.isStatic() && y.isStatic() && x.size() != y.size()) return false;
    }
    return true;
  }
}
