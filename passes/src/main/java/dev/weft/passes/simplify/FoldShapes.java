package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import dev.weft.passes.TypeRefiner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shape computation folding. Exporters compute shapes at run time (ONNX
 * {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape}); where the dims involved are
 * known, those chains become constants, and the types downstream become static. Each round:
 * <ol>
 *   <li>tracks small integer vectors element by element as dims ({@link ShapeVectors}): a
 *       {@code shape_of} yields its operand's dims, gather/slice/concat/unsqueeze/squeeze/cast
 *       move them around; a vector whose elements are all sizes becomes a constant, one that
 *       holds a symbol stays symbolic (its node is kept);</li>
 *   <li>folds the integer arithmetic on such constants (at most 64 elements per result);</li>
 *   <li>turns a reshape whose target is tracked but symbolic into one with a static target of
 *       copy (0) and infer (-1) codes where the symbols allow, so its shape chain dies and its
 *       result keeps the operand's symbols; where they do not, the result at least takes the
 *       target's symbols in place of fresh ones;</li>
 *   <li>re-infers types ({@link TypeRefiner}), so a reshape whose target became constant gets
 *       static dims and the next round can fold the {@code shape_of} of its result.</li>
 * </ol>
 * After each round, an {@code if} whose condition became constant is replaced by its taken
 * branch ({@link FoldIf}), whose nodes the next round types and folds.
 * At the fixed point, an {@code if} that only one branch types static takes that branch's
 * result types ({@link SettleIf}) and the rounds go on.
 * Rounds repeat until nothing changes (at most {@value #MAX_ROUNDS}).
 */
public final class FoldShapes implements Pass {
  static final int MAX_ROUNDS = 16;
  /** Integer results up to this many elements count as shape math. */
  static final int SHAPE_MATH_ELEMENTS = 64;

  @Override
  public String name() { return "fold-shapes"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    boolean any = false;
    Set<Value> changed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Sweep sweep = new Sweep(ctx, changed, round > 0);
      for (Graph g : Rewrite.allGraphs(module.main())) sweep.graph(g);
      ctx.count("folded", sweep.folded);
      ctx.count("types-refined", sweep.refined);
      int inlined = FoldIf.run(module.main(), ctx, changed);
      if (sweep.folded == 0 && sweep.refined == 0 && inlined == 0) {
        // At the fixed point, an if typed by one branch only takes that branch's types
        // (SettleIf); the next round carries them to its consumers.
        if (SettleIf.run(module.main(), ctx, changed) == 0) break;
        any = true;
        continue;
      }
      any = true;
      if (inlined > 0) continue;   // the inlined branches' nodes are typed and folded in the next round
      // One sweep in schedule order sees every producer final before its consumers, so it
      // reaches the fixed point of a graph without subgraphs. A subgraph is swept after the
      // node holding it, whose type (and what reads it) may then improve: another round.
      if (!sweep.sawSubgraphs) break;
    }
    return any;
  }

  /**
   * One walk over the graphs in schedule order. A node is re-inferred only when an operand
   * changed in this pass (a new type, or a new value such as a folded constant), when its
   * results are not yet static ({@link TypeRefiner#improvable}), or when it holds subgraphs;
   * static results of unchanged operands are already what inference would say.
   */
  private static final class Sweep {
    final PassContext ctx;
    final Set<Value> changed;
    final boolean again;
    final ShapeVectors vectors = new ShapeVectors();
    int folded;
    int refined;
    boolean sawSubgraphs;

    Sweep(PassContext ctx, Set<Value> changed, boolean again) {
      this.ctx = ctx;
      this.changed = changed;
      this.again = again;
    }

    void graph(Graph g) {
      for (Node n : new ArrayList<>(g.nodes())) {
        if (n.graph() == null) continue;
        boolean holder = !n.subgraphs().isEmpty();
        sawSubgraphs |= holder;
        if (holder || again || TypeRefiner.improvable(n) || readsChanged(n)) refined += TypeRefiner.refine(n, changed);
        if (foldVector(n, vectors, ctx, changed) || foldShapeMath(n, ctx, changed) || codedTarget(n, vectors, ctx, changed)
            || symbolicTarget(n, vectors, changed)) {
          folded++;
        }
      }
    }

    private boolean readsChanged(Node n) {
      if (changed.isEmpty()) return false;
      for (Value v : n.inputs()) if (v != null && changed.contains(v)) return true;
      return false;
    }

  }

  /** A node whose single result is a fully known vector becomes a constant. */
  private static boolean foldVector(Node n, ShapeVectors vectors, PassContext ctx, Set<Value> changed) {
    if (n.outputCount() != 1 || n.opName().equals("constant") || !n.subgraphs().isEmpty()) return false;
    Value out = n.output(0);
    List<Dim> known = vectors.of(out);
    if (known == null) return false;
    long[] sizes = new long[known.size()];
    for (int i = 0; i < sizes.length; i++) {
      if (!known.get(i).isStatic()) return false;
      sizes[i] = known.get(i).size();
    }
    TensorType t = (TensorType) out.type();
    long[] shape = t.shape().rank() == 0 ? new long[0] : new long[] {sizes.length};
    Tensor value = Tensor.zeros(t.dtype(), shape);
    for (int i = 0; i < sizes.length; i++) value.setLong(i, sizes[i]);
    return Folding.replaceWithConstants(n, List.of(value), ctx, changed);
  }

  /**
   * A reshape (or fill) whose target vector is known but holds symbols: its result takes those
   * dims where inference could only draw fresh symbols ({@code _sN}), so {@code batch} flows on.
   */
  private static boolean symbolicTarget(Node n, ShapeVectors vectors, Set<Value> changed) {
    int operand = switch (n.opName()) {
      case "reshape" -> 1;
      case "fill" -> 0;
      default -> -1;
    };
    if (operand < 0 || n.input(operand) == null || n.attribute("shape") != null) return false;
    List<Dim> target = vectors.of(n.input(operand));
    if (target == null || !(n.output(0).type() instanceof TensorType out) || !out.shape().isRanked()) return false;
    if (out.shape().rank() != target.size()) return false;
    boolean allowzero = n.opName().equals("reshape") && n.attrs().getBool("allowzero");
    Shape in = n.opName().equals("reshape") ? ((TensorType) n.input(0).type()).shape() : null;
    List<Dim> dims = new ArrayList<>(out.shape().dims());
    boolean retyped = false;
    for (int i = 0; i < dims.size(); i++) {
      Dim want = target.get(i);
      if (in != null && want.isStatic() && want.size() == 0 && !allowzero) {
        if (!in.isRanked() || i >= in.rank()) continue;
        want = in.dim(i);   // 0 copies the operand's dim
      }
      if (isFresh(dims.get(i)) && !isFresh(want)) {
        dims.set(i, want);
        retyped = true;
      }
    }
    if (retyped) {
      n.output(0).setType(out.withShape(new Shape(dims)));
      changed.add(n.output(0));
    }
    return retyped;
  }

  static boolean isFresh(Dim d) { return TypeRefiner.isFresh(d); }

  /**
   * A reshape whose computed target holds symbols becomes a reshape with a static target of
   * ONNX codes, so the shape chain that computed it dies: a symbol equal to the operand's dim at
   * the same position becomes 0 (copy), one other symbol becomes -1 (inferred) when every other
   * entry is a static non-zero size (with a 0 or a copied dim that could be 0 at run time, -1
   * would be ambiguous). The head split {@code [B, S, 384] -> concat(B, S, 12, 32)} becomes
   * {@code reshape {shape = [0, 0, 12, 32]}} and its result keeps {@code B} and {@code S}.
   */
  private static boolean codedTarget(Node n, ShapeVectors vectors, PassContext ctx, Set<Value> changed) {
    if (!n.opName().equals("reshape") || n.attribute("shape") != null || n.input(1) == null) return false;
    List<Dim> target = vectors.of(n.input(1));
    if (target == null || target.stream().allMatch(Dim::isStatic)) return false;
    Shape in = ((TensorType) n.input(0).type()).shape();
    if (!in.isRanked()) return false;
    boolean allowzero = n.attrs().getBool("allowzero");
    long[] codes = new long[target.size()];
    int inferred = -1;
    boolean onlySizes = true;   // every entry other than the inferred one is a static non-zero size
    for (int i = 0; i < codes.length; i++) {
      Dim d = target.get(i);
      if (d.isStatic()) {
        if (d.size() == 0 && allowzero) return false;   // a literal 0 would read as a copy
        codes[i] = d.size();
        onlySizes &= d.size() > 0;
      } else if (i < in.rank() && in.dim(i).equals(d)) {
        codes[i] = 0;
        onlySizes = false;
      } else if (inferred < 0) {
        inferred = i;
        codes[i] = -1;
      } else {
        return false;
      }
    }
    if (inferred >= 0 && !onlySizes) return false;
    Value x = n.input(0);
    Value made = Rewrite.before(n, ctx).op1("reshape",
        Map.of("shape", Attribute.of(codes), "allowzero", Attribute.of(0L)), x);
    Value old = n.output(0);
    // The new result is at least as precise: named dims where the old one may hold fresh symbols.
    TensorType was = (TensorType) old.type();
    String name = old.name();
    if (!Rewrite.replace(old, made)) {
      made.producer().graph().remove(made.producer());
      return false;
    }
    // The new reshape takes the old one's result name, so printed IR still reads like the source.
    if (Rewrite.eraseIfDead(n) && !made.name().equals(name)) made.setName(name);
    changed.add(made);
    if (!(made.type() instanceof TensorType now) || now.rank() != was.rank()) return true;
    // Keep static sizes the old type knew and the new inference did not (a dim only the model declared).
    Type merged = TypeRefiner.merge(made.type(), was);
    if (merged != null) made.setType(merged);
    return true;
  }

  /** Small integer math on constants: what the shape chains compute between shape_of and reshape. */
  private static boolean foldShapeMath(Node n, PassContext ctx, Set<Value> changed) {
    if (!Folding.foldable(n)) return false;
    for (Value v : n.outputs()) {
      TensorType t = (TensorType) v.type();
      // Bool results too: a shape predicate (equal/not of dims) is an if's condition, and FoldIf needs it constant.
      boolean shapeMath = t.dtype().isInteger() || t.dtype() == dev.weft.bundle.DType.BOOL;
      if (!shapeMath || !t.shape().isStatic() || t.shape().elementCount() > SHAPE_MATH_ELEMENTS) return false;
    }
    List<Tensor> values;
    try {
      values = Folding.evaluate(n);
    } catch (RuntimeException e) {
      return false;
    }
    return Folding.replaceWithConstants(n, values, ctx, changed);
  }

  /** Small 0-D/1-D integer values tracked element by element as dims (a size or a symbol). */
  static final class ShapeVectors {
    private final IdentityHashMap<Value, List<Dim>> memo = new IdentityHashMap<>();

    /** The elements of {@code v} when tracked, else null. */
    List<Dim> of(Value v) {
      if (v == null || !(v.type() instanceof TensorType t) || !t.dtype().isInteger()) return null;
      if (!t.shape().isRanked() || t.shape().rank() > 1) return null;
      if (memo.containsKey(v)) return memo.get(v);
      List<Dim> r = compute(v);
      memo.put(v, r);
      return r;
    }

    private List<Dim> compute(Value v) {
      Tensor c = Rewrite.constant(v);
      if (c != null) {
        if (c.size() > SHAPE_MATH_ELEMENTS) return null;
        List<Dim> out = new ArrayList<>();
        for (long i = 0; i < c.size(); i++) {
          long x = c.getLong(i);
          if (x < 0) return null;   // -1 and friends are reshape codes, not sizes
          out.add(Dim.of(x));
        }
        return out;
      }
      Node n = v.producer();
      if (n == null || n.outputCount() != 1) return null;
      return switch (n.opName()) {
        case "shape_of" -> shapeOf(n);
        case "identity" -> of(n.input(0));
        case "cast" -> n.attrs().getDType("to").isInteger() ? of(n.input(0)) : null;
        case "gather" -> gather(n);
        case "concat" -> concat(n);
        case "unsqueeze", "squeeze" -> of(n.input(0));   // 0-D <-> 1-element 1-D: same elements
        case "reshape" -> sameElements(n);
        case "slice" -> slice(n);
        default -> null;
      };
    }

    /** A reshape between vectors (the importer's form of unsqueeze/squeeze/flatten): the same elements when the counts agree. */
    private List<Dim> sameElements(Node n) {
      List<Dim> data = of(n.input(0));
      Shape s = ((TensorType) n.output(0).type()).shape();
      if (data == null) return null;
      long count = s.rank() == 0 ? 1 : s.dim(0).isStatic() ? s.dim(0).size() : -1;
      return count == data.size() ? data : null;
    }

    private List<Dim> shapeOf(Node n) {
      Shape s = ((TensorType) n.input(0).type()).shape();
      if (!s.isRanked()) return null;
      int r = s.rank();
      long start = n.attrs().getInt("start");
      long end = n.attrs().hasValue("end") ? n.attrs().getInt("end") : r;
      start = clamp(start < 0 ? start + r : start, r);
      end = clamp(end < 0 ? end + r : end, r);
      List<Dim> out = new ArrayList<>();
      for (long i = start; i < end; i++) out.add(s.dim((int) i));
      return out;
    }

    private static long clamp(long x, int r) { return Math.max(0, Math.min(r, x)); }

    private List<Dim> gather(Node n) {
      if (n.attrs().getInt("axis") != 0) return null;
      List<Dim> data = of(n.input(0));
      Tensor idx = Rewrite.constant(n.input(1));
      if (data == null || idx == null || !idx.dtype().isInteger() || idx.rank() > 1) return null;
      List<Dim> out = new ArrayList<>();
      for (long i = 0; i < idx.size(); i++) {
        long k = idx.getLong(i);
        if (k < 0) k += data.size();
        if (k < 0 || k >= data.size()) return null;
        out.add(data.get((int) k));
      }
      return out;
    }

    private List<Dim> concat(Node n) {
      List<Dim> out = new ArrayList<>();
      for (Value in : n.inputs()) {
        List<Dim> part = of(in);
        if (part == null) return null;
        out.addAll(part);
      }
      return out;
    }

    /** Slice of a vector with constant bounds (attributes or operands 1-4) and a positive step, clamped as ONNX does. */
    private List<Dim> slice(Node n) {
      List<Dim> data = of(n.input(0));
      long[] starts = ints(n, "starts", 1);
      long[] ends = ints(n, "ends", 2);
      long[] axes = n.attrs().hasValue("axes") || n.input(3) != null ? ints(n, "axes", 3) : new long[] {0};
      long[] steps = n.attrs().hasValue("steps") || n.input(4) != null ? ints(n, "steps", 4) : new long[] {1};
      if (data == null || starts == null || ends == null || axes == null || steps == null) return null;
      if (starts.length != 1 || ends.length != 1 || steps.length != 1 || steps[0] <= 0) return null;
      if (axes.length != 1 || (axes[0] != 0 && axes[0] != -1)) return null;
      int len = data.size();
      long s = starts[0] < 0 ? starts[0] + len : starts[0];
      long e = ends[0] < 0 ? ends[0] + len : ends[0];
      s = Math.max(0, Math.min(len, s));
      e = Math.max(0, Math.min(len, e));
      List<Dim> out = new ArrayList<>();
      for (long i = s; i < e; i += steps[0]) out.add(data.get((int) i));
      return out;
    }

    /** An ints argument given as attribute or as constant operand; null when unknown or absent. */
    private static long[] ints(Node n, String attr, int operand) {
      if (n.attrs().hasValue(attr)) return n.attrs().getInts(attr);
      Tensor t = Rewrite.constant(n.input(operand));
      return t == null ? null : t.toLongArray();
    }
  }
}
