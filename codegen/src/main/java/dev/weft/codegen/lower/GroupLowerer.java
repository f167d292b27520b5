package dev.weft.codegen.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.FreeVars;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.MathLib;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Lowers one closed graph (a {@code fused} node's body, or a single node wrapped as one) to
 * kernels. Every result is an expression of its element index: producers inside the graph are
 * inlined (elementwise chains become one expression, reductions become REDUCE nodes that the
 * emitter hoists), graph inputs are loads from parameter buffers. Results of different shapes
 * get one kernel each. Composites without a rule lower through their decomposition.
 *
 * <p>Temporaries: a value whose expression contains a reduction and that a consumer reads under
 * one of its own reductions (a matmul result feeding a softmax or layer norm row statistic, a
 * norm feeding a matmul's inner product) would be recomputed, reduction and all, on every read.
 * Such a value is materialized instead: a kernel of its own writes it to a temporary buffer
 * (the program places it in the arena) and its consumers load it. Rules can ask for a
 * temporary directly ({@link LowerContext#temporary}), as attention does for its probabilities.
 */
public final class GroupLowerer {
  private final ExprFactory f = new ExprFactory();
  private final MathLib math = new MathLib(f);
  private final LoweringTable table;
  private final Function<Value, Tensor> outerConstant;
  private final Map<Value, Buffer> inputBuffers = new IdentityHashMap<>();
  private final Map<Value, Buffer> constantBuffers = new IdentityHashMap<>();
  private final Map<Value, Value> aliases = new IdentityHashMap<>();
  private final Map<Node, Graph> expansions = new IdentityHashMap<>();
  private final Map<Key, Expr> memo = new HashMap<>();
  private final Set<Key> inProgress = new HashSet<>();

  /** Values decided to be materialized (kept across restarts of the lowering). */
  private final Set<Value> materialize = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  /** Temporary buffers of this attempt, by the value or the rule request they hold. */
  private final Map<Object, Buffer> temps = new HashMap<>();
  /** Kernels writing the temporaries, producers before consumers. */
  private final List<Kernel> tempKernels = new ArrayList<>();
  private final List<Buffer> tempBuffers = new ArrayList<>();
  /** The loop variables of the kernel being built: any other variable is a reduction's. */
  private Set<Long> loopVars = new HashSet<>();
  private final boolean allowTemps;
  private final boolean hostLayout;
  /** Constants stored with their last two dims swapped, by the value they transpose. */
  private final Map<Value, Buffer> transposed = new IdentityHashMap<>();
  private final List<Buffer> transposedOrder = new ArrayList<>();
  private String kernelName = "k";
  private Function<Value, long[]> strideShapes = v -> null;
  private int tileColumns = 1;
  private Graph body;
  private Map<Buffer, Value> bindings = new LinkedHashMap<>();

  private record Key(Value value, List<Expr> index) { }

  private record RuleTemp(Node node, String tag) { }

  /**
   * The result: kernels in execution order, which graph value each parameter buffer stands for,
   * and the temporaries (parameters bound to no graph value: scratch the caller allocates,
   * written by an earlier kernel of the list and read by later ones).
   */
  public record Lowered(List<Kernel> kernels, Map<Buffer, Value> bindings, List<Buffer> temporaries) {
    public Lowered {
      kernels = List.copyOf(kernels);
      temporaries = List.copyOf(temporaries);
    }
  }

  private GroupLowerer(LoweringTable table, Function<Value, Tensor> outerConstant, boolean allowTemps, boolean hostLayout) {
    this.table = table;
    this.outerConstant = outerConstant;
    this.allowTemps = allowTemps;
    this.hostLayout = hostLayout;
  }

  /**
   * @param name kernel name prefix (a C identifier)
   * @param body the closed graph; its inputs are parameters, its outputs are written
   * @param outerConstant compile-time values of body inputs, when the caller knows them (null otherwise)
   * @param source what the kernels came from, for messages
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source) {
    return lower(name, body, outerConstant, source, true);
  }

  /**
   * @param temporaries whether the group may split into several kernels around temporary buffers
   *     (false: one expression per result, recomputing shared reductions; for a caller that
   *     cannot place temporaries, e.g. a group whose leading dim stays symbolic)
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source, boolean temporaries) {
    return lower(name, body, outerConstant, source, temporaries, true);
  }

  /**
   * @param hostLayout whether rules may store constants in the layout a host core reads best
   *     (a matmul's constant right operand transposed, so each dot product reads two contiguous
   *     rows); false for GPUs, whose threads read a row-major weight coalesced
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source, boolean temporaries,
                              boolean hostLayout) {
    return lower(name, body, outerConstant, source, temporaries, hostLayout, 1);
  }

  /**
   * @param tileColumns output columns one work item of a matmul kernel computes (the target's
   *     vector lanes, {@link dev.weft.codegen.target.Target#vectorLanes}); 1 for one element per item
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source, boolean temporaries,
                              boolean hostLayout, int tileColumns) {
    return lower(name, body, outerConstant, source, temporaries, hostLayout, tileColumns, null);
  }

  /**
   * @param strideShapes for a body input or constant, the shape whose row-major strides its loads
   *     use instead of its own (null or a null answer: its own); how a caller lowering a graph at
   *     another value of a symbolic dim reads weights that are stored once, laid out at the maximum
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source, boolean temporaries,
                              boolean hostLayout, int tileColumns, Function<Value, long[]> strideShapes) {
    if (tileColumns < 1) throw new IllegalArgumentException("tileColumns " + tileColumns);
    GroupLowerer g = new GroupLowerer(LoweringTable.global(), outerConstant == null ? v -> null : outerConstant, temporaries, hostLayout);
    g.tileColumns = tileColumns;
    g.strideShapes = strideShapes == null ? v -> null : strideShapes;
    // A value found to need materializing late (after other reads inlined it) restarts the
    // lowering with the decision known from the start; the set only grows, so this ends.
    while (true) {
      int decided = g.materialize.size();
      Lowered l = g.run(name, body, source);
      if (g.materialize.size() == decided) return l;
      g.reset();
    }
  }

  private void reset() {
    memo.clear();
    inProgress.clear();
    constantBuffers.clear();
    temps.clear();
    tempKernels.clear();
    tempBuffers.clear();
  }

  boolean hostLayout() { return hostLayout; }

  /**
   * {@code v}'s compile-time value with its last two dims swapped, as a constant buffer (bound
   * to no graph value: the caller writes its data as a weight of its own), or null when
   * {@code v} is no constant of a plain element type.
   */
  Buffer transposedConstant(Value v) {
    Value target = v;
    while (aliases.containsKey(target)) target = aliases.get(target);
    Buffer have = transposed.get(target);
    if (have != null) return have;
    Tensor t = constantValue(target);
    if (t == null || t.rank() < 2 || t.size() <= 1 || t.dtype() == DType.STRING || t.dtype().bits() % 8 != 0 || t.data() == null) return null;
    Tensor tt = ConstantLayout.transposeLastTwo(t);
    Buffer b = new Buffer(cName("const_" + target.name() + "_T"), tt.dtype(), tt.shape(), tt);
    transposed.put(target, b);
    transposedOrder.add(b);
    return b;
  }

  /** Whether rules may ask for temporaries. */
  boolean temporariesAllowed() { return allowTemps; }

  ExprFactory factory() { return f; }

  MathLib math() { return math; }

  private Lowered run(String name, Graph body, String source) {
    kernelName = name;
    this.body = body;
    bindings = new LinkedHashMap<>();
    for (Value in : body.inputs()) {
      TensorType t = tensor(in, null);
      Buffer b = new Buffer(cName(in.name()), t.dtype(), staticShape(in, null));
      inputBuffers.put(in, b);
    }
    Map<String, List<Integer>> byShape = new LinkedHashMap<>();
    for (int k = 0; k < body.outputs().size(); k++) {
      byShape.computeIfAbsent(Arrays.toString(staticShape(body.outputs().get(k), null)), s -> new ArrayList<>()).add(k);
    }
    List<Kernel> kernels = new ArrayList<>();
    Map<Value, Buffer> outputBuffers = new IdentityHashMap<>();
    int part = 0;
    for (List<Integer> outs : byShape.values()) {
      long[] shape = staticShape(body.outputs().get(outs.get(0)), null);
      for (int k : outs) {
        Value out = body.outputs().get(k);
        outputBuffers.computeIfAbsent(out, v -> new Buffer(cName("out" + k + "_" + v.name()), tensor(v, null).dtype(), shape));
      }
      List<Kernel.Loop> loops = new ArrayList<>();
      List<Kernel.Store> stores = new ArrayList<>();
      int parallel = nest(outs, shape, 1, outputBuffers, loops, stores);
      int tile = tileColumns > 1 && shape.length >= 2 && parallel == loops.size() && hasMatmul() ? tileFor(loops, stores, shape) : 1;
      if (tile > 1) {
        List<Kernel.Loop> tiledLoops = new ArrayList<>();
        List<Kernel.Store> tiledStores = new ArrayList<>();
        int tiledParallel = nest(outs, shape, tile, outputBuffers, tiledLoops, tiledStores);
        if (tiledParallel == tiledLoops.size()) {
          loops = tiledLoops;
          stores = tiledStores;
          parallel = tiledParallel;
        }
      }
      List<Buffer> outBufs = new ArrayList<>();
      for (int k : outs) outBufs.add(outputBuffers.get(body.outputs().get(k)));
      List<Buffer> params = params(stores, outBufs);
      for (int k : outs) bindings.putIfAbsent(outputBuffers.get(body.outputs().get(k)), body.outputs().get(k));
      String kname = byShape.size() == 1 ? name : name + "_" + part;
      // temporaries the results read are written first
      kernels.addAll(tempKernels);
      tempKernels.clear();
      kernels.add(new Kernel(kname, params, loops, parallel, stores, source));
      part++;
    }
    return new Lowered(kernels, bindings, tempBuffers);
  }

  /**
   * Builds the loop nest and stores of the results {@code outs} (all of {@code shape}) into
   * {@code loops} and {@code stores}; returns the number of parallel loops.
   *
   * <p>With {@code tile} > 1 the last dim is register-tiled: its loop runs over column tiles
   * ({@code ceil(N / tile)}), and each work item stores {@code tile} columns, each lowered as its
   * own expression. For a matmul the tile's dot products share the contracting variable's extent,
   * so the emitter runs them as one loop ({@link dev.weft.codegen.emit.KernelEmitter}: independent
   * sums of one extent are fused), each A element loaded once for {@code tile} products and the
   * accumulators vectorized. When N is not a multiple of the tile, the last tile's surplus columns
   * are clamped to column N - 1: they recompute and store that column's own value, in the same
   * work item, so no item writes outside its tile or another item's columns. Each column's
   * expression is the untiled one, so the result does not depend on how the items are split.
   */
  private int nest(List<Integer> outs, long[] shape, int tile, Map<Value, Buffer> outputBuffers, List<Kernel.Loop> loops,
                   List<Kernel.Store> stores) {
    Expr[] idx = loopVars(shape, loops);
    int last = shape.length - 1;
    List<Expr[]> lanes = new ArrayList<>();
    if (tile == 1) {
      lanes.add(idx);
    } else {
      long n = shape[last];
      Expr tileVar = idx[last];
      loops.set(last, new Kernel.Loop(tileVar, (n + tile - 1) / tile));
      for (int j = 0; j < tile; j++) {
        Expr col = f.add(f.mul(tileVar, f.index(tile)), f.index(j));
        if (n % tile != 0) col = f.min(col, f.index(n - 1));
        Expr[] lane = idx.clone();
        lane[last] = col;
        lanes.add(lane);
      }
    }
    Set<Long> saved = loopVars;
    loopVars = varIds(loops);
    try {
      for (Expr[] lane : lanes) {
        for (int k : outs) {
          Value out = body.outputs().get(k);
          stores.add(new Kernel.Store(outputBuffers.get(out), f.linear(lane, shape), value(out, lane)));
        }
      }
    } finally {
      loopVars = saved;
    }
    return schedule(loops, stores);
  }

  private boolean hasMatmul() {
    for (Node n : body.nodes()) if (n.opName().equals("matmul")) return true;
    return false;
  }

  /** Bytes of operand rows a tiled work item may stream at once: its dot products' rows stay in a 32 KiB L1. */
  static final long TILE_ROW_BYTES = 16 * 1024;

  /**
   * The column tile for an untiled kernel whose loops are all parallel (in dim order): 1 unless
   * some reduction depends on the last dim's loop (a matmul's dot product). Halved from
   * {@link #tileColumns} until the tile's sums fit the registers (at most {@link #tileColumns}
   * accumulators in all, however many results share the kernel) and the operand rows they read
   * per step fit {@link #TILE_ROW_BYTES} (more streams than that thrash L1 and the prefetchers:
   * measured slower than untiled on gpt's K = 1024 projections), and never wider than the dim.
   */
  private int tileFor(List<Kernel.Loop> loops, List<Kernel.Store> stores, long[] shape) {
    long lastVar = loops.get(shape.length - 1).var().longValue();
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : stores) roots.add(s.value());
    FreeVars free = new FreeVars();
    int sums = 0;
    long longest = 0;
    for (Expr r : FreeVars.reductions(roots)) {
      if (r.extent() <= 1) continue;
      for (long v : free.of(r)) {
        if (v == lastVar) {
          sums++;
          longest = Math.max(longest, r.extent());
          break;
        }
      }
    }
    if (sums == 0) return 1;
    long tile = Math.min(tileColumns, shape[shape.length - 1]);
    while (tile > 1 && (tile * sums > tileColumns || tile * sums * longest * 4 > TILE_ROW_BYTES)) tile /= 2;
    return (int) tile;
  }

  /** Fresh loop variables over {@code shape}, appended to {@code loops}. */
  private Expr[] loopVars(long[] shape, List<Kernel.Loop> loops) {
    Expr[] idx = new Expr[shape.length];
    for (int d = 0; d < shape.length; d++) {
      idx[d] = f.newVar("i");
      loops.add(new Kernel.Loop(idx[d], shape[d]));
    }
    return idx;
  }

  private static Set<Long> varIds(List<Kernel.Loop> loops) {
    Set<Long> s = new HashSet<>();
    for (Kernel.Loop l : loops) s.add(l.var().longValue());
    return s;
  }

  /** Parameters of a kernel with {@code stores}: inputs, constants, temporaries read, then {@code outs}. */
  private List<Buffer> params(List<Kernel.Store> stores, List<Buffer> outs) {
    List<Buffer> params = new ArrayList<>();
    Set<Buffer> used = usedBuffers(stores);
    for (Value in : body.inputs()) {
      Buffer b = inputBuffers.get(in);
      if (used.contains(b) && !params.contains(b)) {
        params.add(b);
        bindings.putIfAbsent(b, in);
      }
    }
    for (Map.Entry<Value, Buffer> e : constantBuffers.entrySet()) {
      if (used.contains(e.getValue()) && !params.contains(e.getValue())) {
        params.add(e.getValue());
        bindings.putIfAbsent(e.getValue(), e.getKey());
      }
    }
    for (Buffer t : transposedOrder) if (used.contains(t) && !params.contains(t)) params.add(t);
    for (Buffer t : tempBuffers) if (used.contains(t) && !outs.contains(t) && !params.contains(t)) params.add(t);
    for (Buffer o : outs) if (!params.contains(o)) params.add(o);
    return params;
  }

  /**
   * A temporary buffer of {@code shape} holding {@code body} (an element as a function of its
   * index), written by a kernel of its own before the kernel being built; memoized by {@code key}.
   */
  private Buffer temporary(Object key, String hint, DType dtype, long[] shape, Function<Expr[], Expr> body, String source) {
    Buffer have = temps.get(key);
    if (have != null) return have;
    List<Kernel.Loop> loops = new ArrayList<>();
    Expr[] idx = loopVars(shape, loops);
    Set<Long> saved = loopVars;
    loopVars = varIds(loops);
    Expr value;
    try {
      value = body.apply(idx);
    } finally {
      loopVars = saved;
    }
    // named after the body is built: it may have made temporaries of its own
    Buffer buf = new Buffer(cName("tmp" + tempBuffers.size() + "_" + hint), dtype, shape);
    List<Kernel.Store> stores = List.of(new Kernel.Store(buf, f.linear(idx, shape), value));
    int parallel = schedule(loops, stores);
    List<Buffer> params = params(stores, List.of(buf));
    tempKernels.add(new Kernel(kernelName + "_t" + tempBuffers.size(), params, loops, parallel, stores, source));
    tempBuffers.add(buf);
    temps.put(key, buf);
    return buf;
  }

  /** A rule's temporary: see {@link LowerContext#temporary}. */
  Buffer ruleTemporary(Node node, String tag, DType dtype, long[] shape, Function<Expr[], Expr> body) {
    return temporary(new RuleTemp(node, tag), tag, dtype, shape, body, node.describe());
  }

  /**
   * Chooses which loops are parallel: a result dim that some reduction does not depend on
   * becomes an inner serial loop, so the reduction is computed once per row, not per element.
   * Marks serial loops by moving them last; returns the number of parallel loops.
   */
  private int schedule(List<Kernel.Loop> loops, List<Kernel.Store> stores) {
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : stores) roots.add(s.value());
    List<Expr> reductions = FreeVars.reductions(roots);
    FreeVars free = new FreeVars();
    Set<Long> serial = new HashSet<>();
    for (Expr r : reductions) {
      long[] fv = free.of(r);
      Set<Long> deps = new HashSet<>();
      for (long v : fv) deps.add(v);
      // Only reductions over the result's own dims matter; nested ones depend on outer reduce vars.
      boolean overResult = true;
      for (long v : fv) {
        boolean isLoop = false;
        for (Kernel.Loop l : loops) isLoop |= l.var().longValue() == v;
        overResult &= isLoop;
      }
      if (!overResult || r.extent() <= 1) continue;
      for (Kernel.Loop l : loops) if (!deps.contains(l.var().longValue()) && l.extent() > 1) serial.add(l.var().longValue());
    }
    List<Kernel.Loop> par = new ArrayList<>();
    List<Kernel.Loop> ser = new ArrayList<>();
    for (Kernel.Loop l : loops) (serial.contains(l.var().longValue()) ? ser : par).add(l);
    loops.clear();
    loops.addAll(par);
    loops.addAll(ser);
    return par.size();
  }

  private static Set<Buffer> usedBuffers(List<Kernel.Store> stores) {
    Set<Buffer> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>();
    for (Kernel.Store s : stores) {
      work.add(s.value());
      work.add(s.index());
    }
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind() == Expr.Kind.LOAD) out.add(e.buffer());
      for (Expr c : new Expr[] {e.a(), e.b(), e.c()}) if (c != null) work.push(c);
    }
    return out;
  }

  /** The element of {@code v} at {@code idx}, inlining its producer or loading it. */
  Expr value(Value v, Expr[] idx) {
    Value target = aliases.getOrDefault(v, v);
    while (aliases.containsKey(target)) target = aliases.get(target);
    if (allowTemps && materialize.contains(target)) return loadTemporary(target, idx);
    Key key = new Key(target, List.of(idx));
    Expr have = memo.get(key);
    if (have != null) return have;
    if (!inProgress.add(key)) throw new LoweringException(target.producer(), "cyclic definition of %" + target.name());
    Expr e = compute(target, idx);
    inProgress.remove(key);
    if (allowTemps && recomputedUnderReduction(e, idx) && materializable(target)) {
      materialize.add(target);
      e = loadTemporary(target, idx);
    }
    memo.put(key, e);
    return e;
  }

  /**
   * Whether {@code e}, read at {@code idx}, holds a reduction that depends on a variable of a
   * consumer's reduction (a variable in {@code idx} that is no loop of the kernel being built):
   * inlined, that reduction would be recomputed on every iteration of the consumer's.
   */
  private boolean recomputedUnderReduction(Expr e, Expr[] idx) {
    FreeVars free = new FreeVars();
    Set<Long> consumerVars = new HashSet<>();
    for (Expr i : idx) for (long var : free.of(i)) if (!loopVars.contains(var)) consumerVars.add(var);
    if (consumerVars.isEmpty()) return false;
    for (Expr r : FreeVars.reductions(List.of(e))) {
      if (r.extent() <= 1) continue;
      for (long var : free.of(r)) if (consumerVars.contains(var)) return true;
    }
    return false;
  }

  private static boolean materializable(Value v) {
    return v.type() instanceof TensorType t && t.shape().isStatic() && t.dtype() != DType.STRING;
  }

  private Expr loadTemporary(Value v, Expr[] idx) {
    long[] shape = staticShape(v, v.producer());
    Buffer b = temporary(v, v.name(), tensor(v, null).dtype(), shape, i -> compute(v, i),
        v.producer() == null ? v.name() : v.producer().describe());
    return f.load(b, f.linear(idx, shape));
  }

  private Expr compute(Value v, Expr[] idx) {
    Buffer in = inputBuffers.get(v);
    if (in != null) {
      Tensor c = outerConstant.apply(v);
      if (c != null && c.size() == 1 && c.dtype() != DType.STRING) return scalarConstant(c, v);
      return f.load(in, f.linear(idx, strides(v, in.shape())));
    }
    Node p = v.producer();
    if (p == null) throw new LoweringException(null, "%" + v.name() + " is read but not defined in the group");
    if (p.opName().equals(Constants.OP)) {
      Tensor c = Constants.valueOf(v);
      if (c.size() == 1) return scalarConstant(c, v);
      Buffer b = constantBuffers.computeIfAbsent(v, x -> new Buffer(cName("const_" + x.name()), c.dtype(), c.shape(), c));
      return f.load(b, f.linear(idx, strides(v, b.shape())));
    }
    int output = p.outputs().indexOf(v);
    Lowering rule = table.get(p.opName());
    if (rule != null) {
      Expr e = rule.at(new LowerContext(this, p), output, idx);
      DType want = ExprFactory.computeType(tensor(v, p).dtype());
      if (e.type() != want) throw new LoweringException(p, "lowering produced " + e.type() + " for a " + want + " result");
      return e;
    }
    if (p.op().decomposition() != null) return value(expansion(p).outputs().get(output), idx);
    throw new LoweringException(p, UnloweredOps.message(p));
  }

  private long[] strides(Value v, long[] own) {
    long[] s = strideShapes.apply(v);
    return s == null ? own : s;
  }

  private Expr scalarConstant(Tensor c, Value v) {
    DType t = ExprFactory.computeType(c.dtype());
    if (t.isFloat()) return f.constant(t, c.getDouble(0));
    if (t == DType.BOOL) return f.bool(c.getBool(0));
    return f.constantLong(t, c.getLong(0));
  }

  /** A composite's decomposition as a graph whose inputs alias the composite's operands. */
  private Graph expansion(Node composite) {
    Graph g = expansions.get(composite);
    if (g != null) return g;
    g = new Graph(composite.opName() + "_expansion");
    Node clone = g.append(composite.op(), composite.location());
    for (Value v : composite.inputs()) {
      if (v == null) {
        clone.addInput(null);
        continue;
      }
      Value in = g.addInput(v.name(), v.type());
      aliases.put(in, v);
      clone.addInput(in);
    }
    clone.setAttributes(composite.attributes());
    for (Value v : composite.outputs()) clone.addOutput(g.claim(v.name()), v.type());
    GraphBuilder b = new GraphBuilder(g).insertBefore(clone).at(composite.location());
    List<Value> outs = composite.op().decomposition().expand(clone, b);
    for (Value v : outs) g.addOutput(v);
    g.remove(clone);
    expansions.put(composite, g);
    return g;
  }

  /** The compile-time value of {@code v}, if it is a constant (inside the group or bound by the caller). */
  Tensor constantValue(Value v) {
    Value target = v;
    while (aliases.containsKey(target)) target = aliases.get(target);
    if (inputBuffers.containsKey(target)) return outerConstant.apply(target);
    Node p = target.producer();
    if (p != null && p.opName().equals(Constants.OP)) return Constants.valueOf(target);
    return null;
  }

  private static TensorType tensor(Value v, Node n) {
    if (!(v.type() instanceof TensorType t)) throw new LoweringException(n, "%" + v.name() + " is " + v.type() + ", not a tensor");
    return t;
  }

  private static long[] staticShape(Value v, Node n) {
    TensorType t = tensor(v, n);
    if (!t.shape().isStatic()) {
      Node recurrent = UnloweredOps.recurrentReader(v, n);
      if (recurrent != null) throw new LoweringException(recurrent, UnloweredOps.message(recurrent));
      throw new LoweringException(n, "%" + v.name() + " has a dynamic shape " + t.shape() + " (kernels are specialized on static shapes: compile with --shapes)");
    }
    return t.shape().sizes();
  }

  /** A C identifier derived from an IR name. */
  public static String cName(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) b.append(Character.isLetterOrDigit(ch) && ch < 128 ? ch : '_');
    if (b.isEmpty() || Character.isDigit(b.charAt(0))) b.insert(0, '_');
    return b.toString();
  }
}
