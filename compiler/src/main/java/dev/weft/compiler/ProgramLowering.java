package dev.weft.compiler;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.Step;
import dev.weft.bundle.program.DimSource;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.SliceLocality;
import dev.weft.codegen.lower.GroupLowerer;
import dev.weft.codegen.lower.LoweringException;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.ops.FusedOp;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an optimized graph with static shapes into a rank program: one buffer per value
 * (graph inputs and outputs by name, constants as weights, views for reshapes and other
 * layout-only ops, the rest in the arena), and one launch per kernel of every fused group or
 * remaining node, in schedule order (on cuda, a group's matmul may instead be a cuBLASLt library
 * step followed by its epilogue's launches). Kernels are returned for the backend to compile.
 */
public final class ProgramLowering {
  /** Ops that only reinterpret their operand's bytes: lowered to views, not kernels. */
  static final Set<String> VIEW_OPS = Set.of("reshape", "squeeze", "unsqueeze", "flatten", "identity");

  /**
   * What lowering produced: buffers, steps, kernels, weights (by buffer name), the groups that
   * became top-level launches, and the control-flow nodes (if, loop) that became if/loop steps,
   * with their result buffers; groups nested inside those are not listed in {@code groups}.
   * {@code uncompiled} says, one line each, which if branches became fail steps and why.
   */
  public record Result(List<Buffer> buffers, List<Step> steps, List<Kernel> kernels, Map<String, Tensor> weights,
                       Map<String, Integer> stepOfKernel, List<KernelGroup> groups,
                       List<KernelGroup> controls, List<DimSource> dims, Map<String, Long> maxBinding,
                       List<String> uncompiled) { }

  /**
   * A range dim kept symbolic: the graph is specialized at {@code max}, and {@code leading} holds
   * the values whose axis 0 is the dim ({@link SymbolicAxes}). Their buffers get the dim as
   * axis 0 (reserved for {@code max}); a kernel touching them runs over a prefix of its work
   * items, once {@link SliceLocality} proves each work item stays in its slice.
   */
  public record Lift(String symbol, long max, Map<Value, String> leading, String staticExample,
                     long min, Map<Value, int[]> axes, List<Graph> alternates, String input, int inputAxis, Lift second) {
    public Lift(String symbol, long max, Map<Value, String> leading, String staticExample) {
      this(symbol, max, leading, staticExample, 0, null, null, null, -1, null);
    }

    /**
     * A range dim that kernels take at run time ({@link dev.weft.codegen.kir.DimFit}): {@code axes}
     * holds the axes of each value carrying it (any axes; buffers are packed at the run-time value
     * within space reserved for MAX), {@code alternates} the same graph compiled with the dim at
     * MAX+1, MAX+2, MAX+3, node for node; the dim is read from axis {@code inputAxis} of {@code input}.
     */
    public static Lift fit(String symbol, long min, long max, Map<Value, int[]> axes, List<Graph> alternates, String staticExample,
                           String input, int inputAxis) {
      return new Lift(symbol, max, Map.of(), staticExample, min, axes, List.copyOf(alternates), input, inputAxis, null);
    }

    /**
     * This fitted lift with a second range dim that kernels take at run time ({@link GroupFit}
     * fits over both): {@code other}'s axes (its alternates unused), and the graphs compiled at
     * (MAX, MAX2) + {@link dev.weft.codegen.kir.TwoDimPolynomial#SAMPLES} (after the first) and
     * {@code CHECK} replacing this lift's alternates.
     */
    public Lift withSecond(Lift other, List<Graph> twoDimAlternates) {
      return new Lift(symbol, max, leading, staticExample, min, axes, List.copyOf(twoDimAlternates), input, inputAxis, other);
    }

    /** The fitted dims: this one, then the second where there is one. */
    public List<Lift> fittedDims() { return second == null ? List.of(this) : List.of(this, second); }

    public boolean fitted() { return axes != null; }
  }

  /** A graph node lowered to launches: the launches' group name, the node, its results and their buffers. */
  public record KernelGroup(String name, Node node, List<Value> values, List<String> buffers) { }

  private final Graph main;
  private final LoweringOptions options;
  private final Map<Value, String> names = new IdentityHashMap<>();
  private final Map<String, Buffer> buffers = new LinkedHashMap<>();
  private final Map<String, Tensor> weights = new LinkedHashMap<>();
  /** Where steps go: the program's list, or while a branch or loop body is lowered, that body's. */
  private List<Step> steps = new ArrayList<>();
  private final List<Kernel> kernels = new ArrayList<>();
  private final Map<String, Integer> stepOfKernel = new LinkedHashMap<>();
  private final List<KernelGroup> groups = new ArrayList<>();
  private final List<KernelGroup> controls = new ArrayList<>();
  private final List<String> uncompiled = new ArrayList<>();
  /** Nesting depth of the branch or body being lowered (0: the program's own steps). */
  private int depth;
  private int groupCount;
  /** The range dim kept symbolic ({@link LoweringOptions#lift}), or null. */
  private final Lift lift;
  private final Set<String> sliced = new java.util.HashSet<>();
  /** Weights carrying a dim taken at run time: stored at MAX and read with MAX strides ({@link GroupFit}). */
  private final Set<String> maxLayout = new java.util.HashSet<>();
  private final List<DimSource> dimSources = new ArrayList<>();
  /**
   * Model output names, kept for the output buffers: a value inside a branch or loop body may
   * carry the same name as a model output (subgraphs have their own scope) and is lowered first.
   */
  private final Set<String> reserved = new java.util.HashSet<>();

  private ProgramLowering(Graph main, LoweringOptions options) {
    this.main = main;
    this.options = options;
    this.lift = options.lift();
  }

  public static Result lower(Graph main, LoweringOptions options) { return new ProgramLowering(main, options).run(); }

  /** Whether {@code v}'s axis 0 is the range dim. */
  private boolean carries(Value v) {
    return lift != null && (lift.fitted() ? lift.fittedDims().stream().anyMatch(d -> d.axes().containsKey(v)) : lift.leading().containsKey(v));
  }

  /** Whether kernels take the range dim at run time ({@link Lift#fit}). */
  private boolean fitted() { return lift != null && lift.fitted(); }

  /** The program shape of {@code v}: static, or the range dim as axis 0. */
  private List<DimExpr> dims(Value v, TensorType t) {
    List<DimExpr> d = Buffer.dims(t.shape().sizes());
    if (!carries(v)) return d;
    List<DimExpr> out = new ArrayList<>(d);
    if (fitted()) {
      for (Lift dim : lift.fittedDims()) for (int a : dim.axes().getOrDefault(v, new int[0])) out.set(a, DimExpr.symbol(dim.symbol()));
    } else {
      out.set(0, DimExpr.symbol(lift.symbol()));
    }
    return out;
  }

  /** The bytes of {@code v} ({@code bytes} at MAX) at the run-time value of the dim: packed, one factor of the dim per axis carrying it. */
  private DimExpr runBytes(Value v, long bytes) {
    if (!carries(v)) return DimExpr.of(bytes);
    if (!fitted()) return scaled(bytes);
    long factor = bytes;
    // one factor per carrying axis, in axis order (one dim: the order its axes have)
    java.util.TreeMap<Integer, Lift> byAxis = new java.util.TreeMap<>();
    for (Lift d : lift.fittedDims()) for (int a : d.axes().getOrDefault(v, new int[0])) byAxis.put(a, d);
    List<String> symbols = new ArrayList<>();
    for (Lift d : byAxis.values()) {
      if (factor % d.max() != 0) throw new IllegalStateException(bytes + " is not a multiple of " + d.max());
      factor /= d.max();
      symbols.add(d.symbol());
    }
    return new DimExpr(factor, symbols);
  }

  /** {@code n} (a count for the whole MAX-sized tensor) as a count per slice times the dim. */
  private DimExpr scaled(long n) {
    if (n % lift.max() != 0) throw new IllegalStateException(n + " is not a multiple of " + lift.max());
    return new DimExpr(n / lift.max(), List.of(lift.symbol()));
  }

  private void named(Value v, String name) {
    names.put(v, name);
    if (carries(v)) sliced.add(name);
  }

  private Result run() {
    for (Value in : main.inputs()) {
      String name = in.name();
      named(in, name);
      TensorType t = tensor(in, null);
      buffers.put(name, Buffer.input(name, t.dtype(), dims(in, t), bytes(t)));
      if (carries(in) && fitted()) {
        for (Lift d : lift.fittedDims()) {
          if (name.equals(d.input()) && dimSources.stream().noneMatch(s -> s.name().equals(d.symbol()))) {
            dimSources.add(new DimSource(d.symbol(), name, d.inputAxis()));
          }
        }
      }
      if (carries(in) && !fitted() && dimSources.stream().noneMatch(d -> d.name().equals(lift.symbol()))) {
        dimSources.add(new DimSource(lift.symbol(), name, 0));
      }
    }
    Map<Value, String> outputNames = new IdentityHashMap<>();
    for (Value out : main.outputs()) outputNames.putIfAbsent(out, out.name());
    for (Value out : main.outputs()) reserved.add(out.name());
    lowerNodes(main, outputNames);
    // Outputs that no kernel wrote (inputs, constants, views, an output listed twice): copy.
    List<String> seen = new ArrayList<>();
    for (Value out : main.outputs()) {
      String outName = out.name();
      if (seen.contains(outName)) continue;
      seen.add(outName);
      if (buffers.containsKey(outName) && buffers.get(outName).kind() == BufferKind.OUTPUT) continue;
      TensorType t = tensor(out, null);
      String src = names.get(out);
      if (maxLayout.contains(root(src))) {
        throw new SymbolicDimException("dim '" + lift.symbol() + "' cannot stay symbolic: output '" + outName + "' is the constant %" + out.name()
            + " " + out.type() + " carrying the dim, stored at MAX and not packed at the run-time value; compile with a static size, e.g. --shapes '"
            + lift.staticExample() + "'");
      }
      String dst = outName;
      if (buffers.containsKey(dst)) dst = outName + "__out";
      buffers.put(dst, Buffer.output(dst, t.dtype(), dims(out, t), bytes(t)));
      steps.add(new Step.Copy(src, dst, runBytes(out, bytes(t))));
    }
    pruneUnreadWeights();
    Map<String, Long> maxBinding = lift == null ? Map.of() : lift.second() == null ? Map.of(lift.symbol(), lift.max())
        : Map.of(lift.symbol(), lift.max(), lift.second().symbol(), lift.second().max());
    return new Result(new ArrayList<>(buffers.values()), steps, kernels, weights, stepOfKernel, groups, controls,
        List.copyOf(dimSources), maxBinding, List.copyOf(uncompiled));
  }

  /**
   * Lowers {@code g}'s nodes into {@link #steps}, in schedule order. Values of enclosing graphs
   * that a branch or loop body reads are already in {@link #names}: they are referenced by the
   * enclosing program's buffer names.
   */
  private void lowerNodes(Graph g, Map<Value, String> outputNames) {
    for (Node n : g.nodes()) {
      if (n.opName().equals(Constants.OP)) {
        constant(n);
      } else if (VIEW_OPS.contains(n.opName())) {
        view(n);
      } else if (n.opName().equals("if")) {
        ifStep(n, outputNames);
      } else if (n.opName().equals("loop")) {
        loopStep(n, outputNames);
      } else {
        kernelsOf(n, outputNames);
      }
    }
  }

  /**
   * An {@code if} node: its results get buffers here (in the enclosing program), each branch is
   * lowered into its own step list that ends by copying the branch's outputs into them. A branch
   * that cannot be compiled at the bound shapes (its outputs are not the if's static result
   * types, or its contents do not lower) becomes a single {@link Step.Fail} naming the node and
   * why, so a run that takes it stops with a typed error, as long as the other branch compiles;
   * fold-shapes ({@code SettleIf}) gave the if that branch's result types. Each such branch is
   * listed in {@link Result#uncompiled}. If neither branch compiles, the compile fails.
   */
  private void ifStep(Node n, Map<Value, String> outputNames) {
    refuseRangeDim(n);
    String cond = names.get(n.input(0));
    List<String> results = resultBuffers(n, outputNames);
    Attempt then = attemptBranch(n, "then_branch", results);
    Attempt otherwise = attemptBranch(n, "else_branch", results);
    if (then.failure != null && otherwise.failure != null) {
      throw new LoweringException(n, "neither branch compiles at the bound shapes " + boundShapes() + ": then branch: "
          + then.failure.getMessage() + "; else branch: " + otherwise.failure.getMessage());
    }
    steps.add(new Step.If(cond, then.steps, otherwise.steps));
    if (depth == 0) controls.add(new KernelGroup("if" + controls.size(), n, List.copyOf(n.outputs()), results));
  }

  /** A branch's steps, and the reason it could not be compiled (null when it was). */
  private record Attempt(List<Step> steps, LoweringException failure) { }

  /**
   * Lowers one branch; when it cannot be lowered, undoes what the attempt added (buffers,
   * weights, kernels, group numbers) and returns a {@link Step.Fail} in its place.
   */
  private Attempt attemptBranch(Node n, String attr, List<String> results) {
    Graph g = n.attrs().getGraph(attr);
    Set<String> bufferNames = new java.util.HashSet<>(buffers.keySet());
    Set<String> weightNames = new java.util.HashSet<>(weights.keySet());
    int kernelCount = kernels.size();
    int groupsBefore = groupCount;
    try {
      checkBranchTypes(n, g);
      return new Attempt(branch(n, g, results), null);
    } catch (LoweringException e) {
      buffers.keySet().retainAll(bufferNames);
      weights.keySet().retainAll(weightNames);
      kernels.subList(kernelCount, kernels.size()).clear();
      groupCount = groupsBefore;
      String which = attr.equals("then_branch") ? "then branch (taken when the condition is true)"
          : "else branch (taken when the condition is false)";
      String message = nodeName(n) + " " + which + " was not compiled: " + e.getMessage() + " at the bound shapes " + boundShapes();
      uncompiled.add(message);
      return new Attempt(List.of(new Step.Fail(message)), e);
    }
  }

  /** Refuses a branch whose outputs are not exactly the if's (static) result types. */
  private static void checkBranchTypes(Node n, Graph g) {
    for (int i = 0; i < g.outputs().size(); i++) {
      Value v = g.outputs().get(i);
      TensorType want = tensor(n.output(i), n);
      if (!(v.type() instanceof TensorType t) || !t.shape().isStatic()) {
        throw new LoweringException(n, "its output " + i + " (%" + v.name() + ") is " + v.type() + ", not static");
      }
      if (!t.equals(want)) throw new LoweringException(n, "its output " + i + " (%" + v.name() + ") is " + t + ", the if's result is " + want);
    }
  }

  /**
   * The node's name when the importer recorded one (ONNX), else its description; never the
   * model's file path, which would make the bundle depend on where the model lies.
   */
  private static String nodeName(Node n) {
    return n.location().name() != null ? n.location().name() : n.describe();
  }

  /** The model's input shapes as bound, in --shapes form ({@code input=1x576,sr=}). */
  private String boundShapes() {
    List<String> parts = new ArrayList<>();
    for (Value in : main.inputs()) {
      String dims = in.type() instanceof TensorType t && t.shape().isRanked()
          ? String.join("x", t.shape().dims().stream().map(Object::toString).toList()) : "?";
      parts.add(in.name() + "=" + dims);
    }
    return String.join(",", parts);
  }

  private List<Step> branch(Node n, Graph g, List<String> results) {
    List<Step> outer = steps;
    steps = new ArrayList<>();
    depth++;
    try {
      lowerNodes(g, Map.of());
      for (int i = 0; i < g.outputs().size(); i++) {
        Value v = g.outputs().get(i);
        copy(names.get(v), results.get(i), tensor(n.output(i), n));
      }
      return steps;
    } finally {
      steps = outer;
      depth--;
    }
  }

  /**
   * A {@code loop} node (ONNX Loop). The body's inputs (iteration, condition, carried values)
   * live in state buffers of the enclosing program, filled by copies before the loop step; the
   * body ends by copying its condition and carried results back into them (through temporaries
   * where a result is itself a state, so a swap of carried values reads old values). The carried
   * results of the node are the state buffers after the loop.
   */
  private void loopStep(Node n, Map<Value, String> outputNames) {
    refuseRangeDim(n);
    Graph body = n.attrs().getGraph("body");
    int carried = n.inputCount() - 2;
    int scans = n.outputCount() - carried;
    String max = n.input(0) == null ? null : names.get(n.input(0));
    String iter = stateBuffer("loop_iter", new TensorType(DType.I64, dev.weft.ir.Shape.scalar()));
    names.put(body.inputs().get(0), iter);
    TensorType boolScalar = new TensorType(DType.BOOL, dev.weft.ir.Shape.scalar());
    String cond = stateBuffer("loop_cond", boolScalar);
    names.put(body.inputs().get(1), cond);
    if (n.input(1) != null) {
      copy(names.get(n.input(1)), cond, boolScalar);
    } else {
      // ONNX Loop without a condition operand still runs the body's condition output.
      String yes = unique("w_loop_true");
      Tensor t = Tensor.ofBools(new long[0], true);
      buffers.put(yes, Buffer.weight(yes, DType.BOOL, List.of(), t.byteSize()));
      weights.put(yes, t);
      copy(yes, cond, boolScalar);
    }
    List<String> states = new ArrayList<>();
    for (int i = 0; i < carried; i++) {
      TensorType t = tensor(n.output(i), n);
      String state = stateBuffer("loop_state_" + n.output(i).name(), t);
      copy(names.get(n.input(2 + i)), state, t);
      names.put(body.inputs().get(2 + i), state);
      names.put(n.output(i), state);
      states.add(state);
    }
    List<String> scanOut = new ArrayList<>();
    for (int k = 0; k < scans; k++) {
      Value v = n.output(carried + k);
      TensorType t = tensor(v, n);
      String name;
      if (outputNames.containsKey(v) && !buffers.containsKey(v.name())) {
        name = v.name();
        buffers.put(name, Buffer.output(name, t.dtype(), Buffer.dims(t.shape().sizes()), bytes(t)));
      } else {
        name = stateBuffer(v.name(), t);
      }
      names.put(v, name);
      scanOut.add(name);
    }
    List<Step> outer = steps;
    steps = new ArrayList<>();
    List<Step.Scan> scanSteps = new ArrayList<>();
    depth++;
    try {
      lowerNodes(body, Map.of());
      List<String> targets = new ArrayList<>(states);
      targets.add(0, cond);
      Set<String> stateRoots = new java.util.HashSet<>(targets);
      stateRoots.add(iter);
      List<String> sources = new ArrayList<>();
      for (int i = 0; i <= carried; i++) {
        Value v = body.outputs().get(i);
        TensorType t = tensor(v, n);
        String src = names.get(v);
        if (!src.equals(targets.get(i)) && stateRoots.contains(root(src))) {
          String tmp = stateBuffer("loop_next_" + v.name(), t);
          copy(src, tmp, t);
          src = tmp;
        }
        sources.add(src);
      }
      // Scan results that alias a state would be read after the state copies below: save them first.
      for (int k = 0; k < scans; k++) {
        Value v = body.outputs().get(1 + carried + k);
        TensorType t = tensor(v, n);
        String src = names.get(v);
        if (stateRoots.contains(root(src))) {
          String tmp = stateBuffer("loop_scan_" + v.name(), t);
          copy(src, tmp, t);
          src = tmp;
        }
        scanSteps.add(new Step.Scan(src, scanOut.get(k), bytes(t)));
      }
      for (int i = 0; i <= carried; i++) {
        if (!sources.get(i).equals(targets.get(i))) copy(sources.get(i), targets.get(i), tensor(body.outputs().get(i), n));
      }
      outer.add(new Step.Loop(max, cond, iter, steps, scanSteps));
    } finally {
      steps = outer;
      depth--;
    }
    if (depth == 0) {
      List<String> results = new ArrayList<>();
      for (Value v : n.outputs()) results.add(names.get(v));
      controls.add(new KernelGroup("loop" + controls.size(), n, List.copyOf(n.outputs()), results));
    }
  }

  /** Control-flow steps copy static byte counts: a range dim cannot reach them. */
  private void refuseRangeDim(Node n) {
    if (lift == null) return;
    throw new SymbolicDimException("dim '" + lift.symbol() + "' cannot stay symbolic in a model with control flow (" + n.describe()
        + "); compile with a static size, e.g. --shapes '" + lift.staticExample() + "'");
  }

  /** An arena buffer for control-flow state, named after {@code base}. */
  private String stateBuffer(String base, TensorType t) {
    String name = unique(base);
    buffers.put(name, Buffer.arena(name, t.dtype(), Buffer.dims(t.shape().sizes()), bytes(t), 0));
    return name;
  }

  /** The buffer whose bytes {@code name} are: its view source, or itself. */
  private String root(String name) {
    Buffer b = buffers.get(name);
    return b != null && b.kind() == BufferKind.VIEW ? b.of() : name;
  }

  private void copy(String src, String dst, TensorType t) {
    if (!src.equals(dst)) steps.add(new Step.Copy(src, dst, DimExpr.of(bytes(t))));
  }

  /** Buffers for a node's results: model outputs by their name, the rest in the arena. */
  private List<String> resultBuffers(Node n, Map<Value, String> outputNames) {
    List<String> out = new ArrayList<>();
    for (Value v : n.outputs()) {
      TensorType t = tensor(v, n);
      String name;
      if (outputNames.containsKey(v) && !buffers.containsKey(v.name())) {
        name = v.name();
        buffers.put(name, Buffer.output(name, t.dtype(), dims(v, t), bytes(t)));
      } else {
        name = unique(v.name());
        buffers.put(name, Buffer.arena(name, t.dtype(), dims(v, t), bytes(t), 0));
      }
      named(v, name);
      out.add(name);
    }
    return out;
  }

  /**
   * Drops weights no step reads (directly or through a view): a kernel may read a relaid copy
   * of a weight instead (a matmul's transposed right operand), which leaves the original unused.
   */
  private void pruneUnreadWeights() {
    Set<String> read = new java.util.HashSet<>();
    for (Step s : steps) {
      for (String name : s.buffers()) {
        read.add(name);
        Buffer b = buffers.get(name);
        if (b != null && b.kind() == BufferKind.VIEW) read.add(b.of());
      }
    }
    List<String> drop = new ArrayList<>();
    for (Buffer b : buffers.values()) if (b.kind() == BufferKind.WEIGHT && !read.contains(b.name())) drop.add(b.name());
    for (String name : drop) {
      buffers.remove(name);
      weights.remove(name);
    }
  }

  private void constant(Node n) {
    Value v = n.output(0);
    if (!v.hasUses() && !n.graph().outputs().contains(v)) return;
    String name = unique("w_" + v.name());
    names.put(v, name);
    Tensor t = Constants.valueOf(v);
    buffers.put(name, Buffer.weight(name, t.dtype(), Buffer.dims(t.shape()), t.byteSize()));
    weights.put(name, t);
    if (fitted() && carries(v)) maxLayout.add(name);
  }

  private void view(Node n) {
    Value src = n.input(0);
    Value v = n.output(0);
    TensorType t = tensor(v, n);
    String of = names.get(src);
    Buffer base = buffers.get(of);
    String name = unique(v.name());
    names.put(v, name);
    String root = base.kind() == BufferKind.VIEW ? base.of() : of;
    long offset = base.kind() == BufferKind.VIEW ? base.offset() : 0;
    // A view of an unsliced buffer (a weight that merely has MAX rows) stays static.
    boolean slicedSource = sliced.contains(of);
    if (slicedSource) sliced.add(name);
    if (slicedSource && (!carries(v) || offset != 0)) {
      throw new SymbolicDimException("dim '" + lift.symbol() + "' cannot stay symbolic: view node " + n.describe() + " makes %" + v.name()
          + " " + v.type() + " from %" + src.name() + " " + src.type() + " without keeping the dim" + (fitted() ? "" : " as axis 0") + "; compile with a static size, e.g. --shapes '"
          + lift.staticExample() + "'");
    }
    buffers.put(name, Buffer.view(name, t.dtype(), slicedSource ? dims(v, t) : Buffer.dims(t.shape().sizes()), bytes(t), root, offset));
  }

  private void kernelsOf(Node n, Map<Value, String> outputNames) {
    Graph body;
    List<Value> operands = n.inputs();
    if (n.opName().equals(FusedOp.OP)) {
      body = n.attrs().getGraph("body");
    } else {
      body = wrap(n);
    }
    String group = "g" + groupCount++;
    List<String> resultBuffers = resultBuffers(n, outputNames);
    if (depth == 0) groups.add(new KernelGroup(group, n, List.copyOf(n.outputs()), resultBuffers));
    List<String> nodes = new ArrayList<>();
    if (n.opName().equals(FusedOp.OP)) for (Node m : body.nodes()) nodes.add(m.describe());
    else nodes.add(n.describe());
    // Buffers of the body's inputs and outputs, in body order; a split adds the matmul result.
    List<String> inBufs = new ArrayList<>();
    for (Value v : operands) inBufs.add(v == null ? null : names.get(v));
    List<Value> outerOfInput = new ArrayList<>(operands);
    List<String> outBufs = new ArrayList<>(resultBuffers);
    boolean carriesDim = operands.stream().anyMatch(v -> v != null && carries(v)) || n.outputs().stream().anyMatch(this::carries);
    MatmulSplit.Split split = options.libraryGemm() && !carriesDim ? MatmulSplit.of(body) : null;
    if (split != null) {
      String result;
      if (split.resultOutput() >= 0) {
        result = resultBuffers.get(split.resultOutput());
      } else {
        TensorType t = tensor(split.matmul().output(0), n);
        result = unique(group + "_matmul");
        buffers.put(result, Buffer.arena(result, t.dtype(), Buffer.dims(t.shape().sizes()), bytes(t), 0));
      }
      // cuBLAS's A is the row-major right operand (MatmulSplit): args are [b, a, result].
      steps.add(split.call().step(inBufs.get(split.bInput()), inBufs.get(split.aInput()), result));
      if (split.epilogue() == null) return;
      body = split.epilogue();
      inBufs.add(result);
      outerOfInput.add(null);
      List<String> epilogueOuts = new ArrayList<>();
      for (int i : split.epilogueOutputs()) epilogueOuts.add(resultBuffers.get(i));
      outBufs = epilogueOuts;
    }
    Map<Value, Tensor> constantsOfBody = new IdentityHashMap<>();
    for (int i = 0; i < body.inputs().size(); i++) {
      Value outer = outerOfInput.get(i);
      if (outer != null && outer.producer() != null && outer.producer().opName().equals(Constants.OP)) {
        constantsOfBody.put(body.inputs().get(i), Constants.valueOf(outer));
      }
    }
    // Groups carrying a leading range dim get no temporaries and no matmul column tiles: SliceLocality
    // proves their slices per kernel parameter, which a temporary would escape. A group fitted over
    // the dim keeps its column tiles when the tiled kernels fit, else it is lowered again untiled.
    int tile = carriesDim && !fitted() ? 1 : options.matmulTileColumns();
    GroupLowerer.Lowered lowered = lowerGroup(n, group, body, constantsOfBody, !carriesDim || fitted(), tile);
    GroupFit fit = null;
    java.util.function.IntPredicate maxLayoutInput = i -> i < inBufs.size() && inBufs.get(i) != null && maxLayout.contains(root(inBufs.get(i)));
    if (fitted() && carriesDim) {
      try {
        fit = GroupFit.of(n, group, main, lift, body, lowered, options.gpu(), tile, maxLayoutInput);
      } catch (SymbolicDimException e) {
        if (tile == 1) throw e;
        lowered = lowerGroup(n, group, body, constantsOfBody, true, 1);
        fit = GroupFit.of(n, group, main, lift, body, lowered, options.gpu(), 1, maxLayoutInput);
      }
    }
    // temporaries: arena scratch of this group, live from the kernel writing it to its last reader
    Map<dev.weft.codegen.kir.Buffer, String> temporaries = new IdentityHashMap<>();
    for (int ti = 0; ti < lowered.temporaries().size(); ti++) {
      dev.weft.codegen.kir.Buffer p = lowered.temporaries().get(ti);
      String tname = unique(group + "_" + p.name());
      long tbytes = p.elements() * p.dtype().byteSize();
      buffers.put(tname, Buffer.arena(tname, p.dtype(), fit == null ? Buffer.dims(p.shape()) : fit.temporaryDims().get(ti), tbytes, 0));
      temporaries.put(p, tname);
    }
    // The target's tiling (KernelTiling) stays off every group carrying the range dim: SliceLocality
    // checks a leading dim's kernels as lowered, and fitted kernels take the dim at run time.
    for (Kernel untiled : fit == null ? lowered.kernels() : fit.kernels()) {
      Kernel k = carriesDim ? untiled : options.tiling().apply(untiled);
      List<String> args = new ArrayList<>();
      for (dev.weft.codegen.kir.Buffer p : k.params()) {
        if (temporaries.containsKey(p)) {
          args.add(temporaries.get(p));
          continue;
        }
        Value bodyValue = lowered.bindings().get(p);
        int in = body.inputs().indexOf(bodyValue);
        int out = body.outputs().indexOf(bodyValue);
        if (in >= 0 && (out < 0 || !k.stores().stream().anyMatch(s -> s.buffer() == p))) {
          args.add(inBufs.get(in));
        } else if (out >= 0) {
          args.add(outBufs.get(out));
        } else {
          // a constant inside the group's body
          String wname = unique("w_" + group + "_" + p.name());
          buffers.put(wname, Buffer.weight(wname, p.dtype(), Buffer.dims(p.shape()), p.data().byteSize()));
          weights.put(wname, p.data());
          args.add(wname);
        }
      }
      long extent = k.extent();
      DimExpr launchExtent = DimExpr.of(extent);
      Set<dev.weft.codegen.kir.Buffer> slicedParams = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      for (int i = 0; i < args.size(); i++) if (sliced.contains(args.get(i))) slicedParams.add(k.params().get(i));
      if (!slicedParams.isEmpty() && !fitted()) {
        String why = SliceLocality.check(k, slicedParams, lift.max());
        if (why != null) {
          throw new SymbolicDimException("dim '" + lift.symbol() + "' cannot stay symbolic in group " + group + " (" + n.describe()
              + "), kernel " + k.name() + ": " + why + "; the dim is axis 0 of " + slicedArgs(args)
              + ". Only a leading dim that every kernel handles slice by slice can take a range; compile with a static size, e.g. --shapes '"
              + lift.staticExample() + "'");
        }
        launchExtent = scaled(extent);
      }
      Kernel.DenseWork dense = k.denseWorkOverDims();
      if (dense != null) launchExtent = new DimExpr(dense.factor(), dense.symbols());
      Geometry geo = options.gpu() ? Geometry.of(LaunchGrid.blocks(extent, options.blockSize()), options.blockSize(), 0) : null;
      if (depth == 0) stepOfKernel.put(k.name(), steps.size());
      steps.add(new Step.Launch(k.name(), args, k.dims(), launchExtent, geo, group, nodes));
      kernels.add(k);
    }
  }

  private GroupLowerer.Lowered lowerGroup(Node n, String group, Graph body, Map<Value, Tensor> constantsOfBody, boolean temporaries, int tile) {
    try {
      return GroupLowerer.lower("weft_" + group, body, constantsOfBody::get, n.describe(), temporaries, !options.gpu(), tile);
    } catch (LoweringException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new LoweringException(n, e.getMessage());
    }
  }

  private String slicedArgs(List<String> args) {
    return args.stream().filter(sliced::contains).distinct().map(a -> "%" + a).toList().toString();
  }

  /** A one-node closed graph around {@code n}, its operands as inputs (absent ones stay absent). */
  static Graph wrap(Node n) {
    Graph g = new Graph(n.opName());
    Node clone = g.append(n.op(), n.location());
    for (Value v : n.inputs()) clone.addInput(v == null ? null : g.addInput(g.claim(v.name()), v.type()));
    clone.setAttributes(n.attributes());
    for (Value v : n.outputs()) g.addOutput(clone.addOutput(g.claim(v.name()), v.type()));
    return g;
  }

  private String unique(String base) {
    String s = GroupLowerer.cName(base);
    String name = s;
    for (int i = 1; buffers.containsKey(name) || reserved.contains(name); i++) name = s + "_" + i;
    return name;
  }

  private static TensorType tensor(Value v, Node n) {
    if (!(v.type() instanceof TensorType t)) throw new LoweringException(n, "%" + v.name() + " is " + v.type() + ", not a tensor");
    if (!t.shape().isStatic()) {
      throw new LoweringException(n, "%" + v.name() + " has dynamic shape " + t.shape() + "; compile with --shapes to make it static");
    }
    return t;
  }

  static long bytes(TensorType t) {
    if (t.dtype() == DType.STRING) throw new LoweringException(null, "string tensors have no kernel representation");
    return t.shape().elementCount() * t.dtype().byteSize();
  }
}
