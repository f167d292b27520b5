package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.OptionalType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import dev.weft.ir.interp.OptionalValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Control flow: {@code if}, {@code loop} and {@code scan}. Subgraphs are attributes; they may
 * read any value of the enclosing graphs (the interpreter's environment chain provides them).
 *
 * <p>{@code scan} is a core op rather than a composite lowered to {@code loop}: its trip count
 * is the (usually static) length of the scan axis and its iterations read independent slices,
 * which a backend can exploit (unroll, or map onto a recurrence kernel); a loop lowering would
 * hide both behind per-iteration gathers and dynamic-update-slices that later stages would have
 * to pattern-match back. The same op also covers ONNX Scan-8 (attribute {@code batched=1}:
 * a leading batch axis and an optional sequence_lens operand).
 */
public final class ControlFlowOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("if").inputs(1).outputs(0, OpDef.VARIADIC)
            .required("then_branch", Attribute.Kind.GRAPH)
            .required("else_branch", Attribute.Kind.GRAPH)
            .infer(ControlFlowOps::inferIf)
            .kernel(c -> {
              Graph g = c.attrs().getGraph(condition(c) ? "then_branch" : "else_branch");
              return c.runSubgraph(g, List.of()).toArray();
            })
            .doc("Runs then_branch or else_branch (no inputs; they read enclosing values).")
            .build(),
        OpDef.core("loop").inputs(2, OpDef.VARIADIC).outputs(0, OpDef.VARIADIC)
            .required("body", Attribute.Kind.GRAPH)
            .infer(ControlFlowOps::inferLoop)
            .kernel(ControlFlowOps::runLoop)
            .doc("ONNX Loop: operands (max_trip_count?, cond?, carried...); body (iter, cond, carried...)"
                + " -> (cond, carried..., scan...); results (carried..., scan outputs stacked on axis 0).")
            .build(),
        // Minimum 0: Scan-8's sequence_lens (operand 0 when batched) is optional; the shape
        // function checks that there is at least one scan input.
        OpDef.core("scan").inputs(0, OpDef.VARIADIC).outputs(0, OpDef.VARIADIC)
            .required("body", Attribute.Kind.GRAPH)
            .required("num_scan_inputs", Attribute.Kind.INT)
            .optional("scan_input_axes", Attribute.Kind.INTS)
            .optional("scan_input_directions", Attribute.Kind.INTS)
            .optional("scan_output_axes", Attribute.Kind.INTS)
            .optional("scan_output_directions", Attribute.Kind.INTS)
            .attr("batched", Attribute.of(0L))
            .infer(ControlFlowOps::inferScan)
            .kernel(ControlFlowOps::runScan)
            .doc("ONNX Scan-9 semantics (states..., scan inputs...); batched=1 is Scan-8"
                + " (sequence_lens?, states..., scan inputs...) with a leading batch axis.")
            .build());
  }

  private static boolean condition(KernelContext c) {
    Tensor t = c.tensor(0);
    if (t.size() != 1) throw c.fail("condition has " + t.size() + " elements, expected 1");
    return t.getBool(0);
  }

  // ---- if ----

  static List<Type> inferIf(InferContext c) {
    TensorType cond = c.tensor(0);
    if (cond.dtype() != DType.BOOL) throw c.fail("condition is " + cond.dtype() + ", expected bool");
    Graph t = c.attrs().getGraph("then_branch");
    Graph e = c.attrs().getGraph("else_branch");
    if (!t.inputs().isEmpty() || !e.inputs().isEmpty()) throw c.fail("if branches take no inputs");
    if (t.outputs().size() != e.outputs().size()) {
      throw c.fail("then_branch has " + t.outputs().size() + " outputs, else_branch " + e.outputs().size());
    }
    List<Type> out = new ArrayList<>();
    for (int i = 0; i < t.outputs().size(); i++) {
      out.add(TypeMerge.merge(c, t.outputs().get(i).type(), e.outputs().get(i).type(), "if output " + i));
    }
    return out;
  }

  // ---- loop ----

  static List<Type> inferLoop(InferContext c) {
    Graph body = c.attrs().getGraph("body");
    int n = c.inputCount() - 2;
    if (body.inputs().size() != n + 2) {
      throw c.fail("loop body takes " + body.inputs().size() + " inputs, expected " + (n + 2) + " (iter, cond, carried...)");
    }
    int k = body.outputs().size() - 1 - n;
    if (k < 0) throw c.fail("loop body has " + body.outputs().size() + " outputs, expected at least " + (n + 1));
    if (c.hasInput(0) && !isScalarOf(c.tensor(0), DType.I64)) throw c.fail("max_trip_count must be an i64 scalar");
    if (c.hasInput(1) && c.dtype(1) != DType.BOOL) throw c.fail("loop condition must be bool");
    List<Type> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(carried(c, c.type(2 + i), body.outputs().get(1 + i).type(), "loop-carried value " + i));
    }
    Dim trips = k == 0 ? null : staticTrips(c, body);
    if (trips == null) trips = c.fresh();
    for (int i = 0; i < k; i++) {
      Type t = body.outputs().get(1 + n + i).type();
      if (!(t instanceof TensorType tt)) throw c.fail("loop scan output " + i + " must be a tensor, got " + t);
      out.add(tt.withShape(TypeMerge.insert(tt.shape(), 0, trips)));
    }
    return out;
  }

  /**
   * The trip count when it is known before the loop runs: a constant max_trip_count, a constant
   * (or absent) condition, and a body whose condition output is its condition input passed
   * through (identity chains, as ONNX's "for" loops and Range's expansion write it) or a constant
   * true. Then scan outputs get a static leading dim; otherwise the caller uses a fresh symbol.
   */
  private static Dim staticTrips(InferContext c, Graph body) {
    Tensor max = c.hasInput(0) ? c.constant(0) : null;
    if (max == null || max.size() != 1) return null;
    if (c.hasInput(1)) {
      Tensor cond = c.constant(1);
      if (cond == null || cond.size() != 1) return null;
      if (!cond.getBool(0)) return Dim.of(0);
    }
    Value out = body.outputs().get(0);
    while (out.producer() != null && out.producer().opName().equals("identity") && out.producer().graph() == body) {
      out = out.producer().input(0);
    }
    Tensor constant = dev.weft.ir.Constants.valueOf(out);
    boolean alwaysTrue = out == body.inputs().get(1) || (constant != null && constant.size() == 1 && constant.getBool(0));
    return alwaysTrue ? Dim.of(Math.max(0, max.getLong(0))) : null;
  }

  /**
   * The type of a loop-carried result. ONNX lets an optional initial value be replaced by a plain
   * value of its element type (Loop-16 test_loop16_seq_none); the result is then the plain type.
   */
  static Type carried(InferContext c, Type init, Type out, String what) {
    if (init instanceof OptionalType o && !(out instanceof OptionalType)) return TypeMerge.merge(c, o.element(), out, what);
    return TypeMerge.merge(c, init, out, what);
  }

  private static boolean isScalarOf(TensorType t, DType d) {
    return t.dtype() == d && (!t.shape().isRanked() || t.shape().elementCount() == 1 || !t.shape().isStatic());
  }

  static Object[] runLoop(KernelContext c) {
    Graph body = c.attrs().getGraph("body");
    long max = c.has(0) ? c.tensor(0).getLong(0) : Long.MAX_VALUE;
    boolean cond = !c.has(1) || c.tensor(1).getBool(0);
    int n = c.inputCount() - 2;
    int k = c.node().outputCount() - n;
    List<Object> carried = new ArrayList<>();
    for (int i = 0; i < n; i++) carried.add(c.input(2 + i));
    List<List<Tensor>> scans = new ArrayList<>();
    for (int i = 0; i < k; i++) scans.add(new ArrayList<>());
    for (long it = 0; it < max && cond; it++) {
      List<Object> args = new ArrayList<>(n + 2);
      args.add(Tensor.ofLongs(new long[0], it));
      args.add(Tensor.ofBools(new long[0], cond));
      args.addAll(carried);
      List<Object> out = c.runSubgraph(body, args);
      cond = ((Tensor) out.get(0)).getBool(0);
      for (int i = 0; i < n; i++) carried.set(i, out.get(1 + i));
      for (int i = 0; i < k; i++) {
        if (!(out.get(1 + n + i) instanceof Tensor t)) throw c.fail("loop scan output " + i + " is not a tensor");
        scans.get(i).add(t);
      }
    }
    Object[] results = new Object[n + k];
    for (int i = 0; i < n; i++) {
      Object v = carried.get(i);
      if (v instanceof OptionalValue ov && !(c.node().output(i).type() instanceof OptionalType)) {
        if (!ov.isPresent()) throw c.fail("loop-carried value " + i + " is an empty optional after zero iterations");
        v = ov.value();
      }
      results[i] = v;
    }
    for (int i = 0; i < k; i++) results[n + i] = stackOrEmpty(c, scans.get(i), 0, c.outputType(n + i));
    return results;
  }

  /** Stacks per-iteration tensors on {@code axis}; with no iterations, an empty tensor of the declared type. */
  static Tensor stackOrEmpty(KernelContext c, List<Tensor> parts, int axis, TensorType declared) {
    if (parts.isEmpty()) {
      Shape s = declared.shape();
      int rank = s.isRanked() ? s.rank() : 1;
      long[] dims = new long[rank];
      for (int i = 0; i < rank; i++) dims[i] = i == axis || !s.isRanked() || !s.dim(i).isStatic() ? 0 : s.dim(i).size();
      return Tensor.zeros(declared.dtype(), dims);
    }
    Tensor first = parts.get(0);
    try {
      return Blocks.stack(parts, axis, first.dtype(), first.shape());
    } catch (IllegalArgumentException e) {
      throw c.fail("scan output changes shape between iterations: " + e.getMessage());
    }
  }

  // ---- scan ----

  /** Operand layout of a scan node. */
  private record ScanLayout(int first, int states, int scans, int outputs, boolean batched) {
    static ScanLayout of(int inputCount, long numScanInputs, int bodyOutputs, boolean batched) {
      int first = batched ? 1 : 0;
      int states = (int) (inputCount - first - numScanInputs);
      return new ScanLayout(first, states, (int) numScanInputs, bodyOutputs - states, batched);
    }
  }

  private static long[] intsOr(InferContext c, String name, int n, long fill) {
    long[] def = new long[n];
    java.util.Arrays.fill(def, fill);
    long[] v = c.attrs().getIntsOr(name, def);
    if (v.length != n) throw c.fail(name + " has " + v.length + " entries, expected " + n);
    return v;
  }

  static List<Type> inferScan(InferContext c) {
    Graph body = c.attrs().getGraph("body");
    boolean batched = c.attrs().getBool("batched");
    long m = c.attrs().getInt("num_scan_inputs");
    ScanLayout l = ScanLayout.of(c.inputCount(), m, body.outputs().size(), batched);
    if (m < 1 || l.states < 0) throw c.fail("num_scan_inputs " + m + " does not fit " + c.inputCount() + " operands");
    for (int i = l.first; i < c.inputCount(); i++) {
      if (!c.hasInput(i)) throw c.fail("operand " + i + " (a state or scan input) is missing");
    }
    if (l.outputs < 0) throw c.fail("scan body has fewer outputs than states");
    if (body.inputs().size() != l.states + l.scans) {
      throw c.fail("scan body takes " + body.inputs().size() + " inputs, expected " + (l.states + l.scans));
    }
    long[] inAxes = intsOr(c, "scan_input_axes", l.scans, 0);
    long[] outAxes = intsOr(c, "scan_output_axes", l.outputs, 0);
    intsOr(c, "scan_input_directions", l.scans, 0);
    intsOr(c, "scan_output_directions", l.outputs, 0);
    Dim trips = c.fresh();
    Dim batch = null;
    TensorType s0 = c.tensor(l.first + l.states);
    if (s0.shape().isRanked()) {
      int ax = batched ? 1 : Blocks.axis(inAxes[0], s0.rank());
      if (ax >= s0.rank()) throw c.fail("scan input 0 has rank " + s0.rank() + ", too small");
      trips = s0.shape().dim(ax);
      if (batched) batch = s0.shape().dim(0);
    } else if (batched) {
      batch = c.fresh();
    }
    List<Type> out = new ArrayList<>();
    for (int i = 0; i < l.states; i++) {
      Type bodyOut = body.outputs().get(i).type();
      if (batched && bodyOut instanceof TensorType bt) bodyOut = bt.withShape(TypeMerge.insert(bt.shape(), 0, batch));
      out.add(TypeMerge.merge(c, c.type(l.first + i), bodyOut, "scan state " + i));
    }
    for (int i = 0; i < l.outputs; i++) {
      Type t = body.outputs().get(l.states + i).type();
      if (!(t instanceof TensorType tt)) throw c.fail("scan output " + i + " must be a tensor, got " + t);
      Shape s = tt.shape();
      if (batched) {
        s = TypeMerge.insert(TypeMerge.insert(s, 0, trips), 0, batch);
      } else if (s.isRanked()) {
        s = TypeMerge.insert(s, Blocks.axis(outAxes[i], s.rank() + 1), trips);
      }
      out.add(tt.withShape(s));
    }
    return out;
  }

  static Object[] runScan(KernelContext c) {
    Graph body = c.attrs().getGraph("body");
    boolean batched = c.attrs().getBool("batched");
    ScanLayout l = ScanLayout.of(c.inputCount(), c.attrs().getInt("num_scan_inputs"), body.outputs().size(), batched);
    long[] inAxes = c.attrs().getIntsOr("scan_input_axes", new long[l.scans]);
    long[] inDirs = c.attrs().getIntsOr("scan_input_directions", new long[l.scans]);
    long[] outAxes = c.attrs().getIntsOr("scan_output_axes", new long[l.outputs]);
    long[] outDirs = c.attrs().getIntsOr("scan_output_directions", new long[l.outputs]);
    List<Object> states = new ArrayList<>();
    for (int i = 0; i < l.states; i++) states.add(c.input(l.first + i));
    List<Tensor> scans = new ArrayList<>();
    for (int i = 0; i < l.scans; i++) scans.add(c.tensor(l.first + l.states + i));
    List<TensorType> outTypes = new ArrayList<>();
    for (int i = 0; i < l.outputs; i++) outTypes.add(c.outputType(l.states + i));
    if (!batched) {
      int[] axes = new int[l.scans];
      for (int i = 0; i < l.scans; i++) axes[i] = Blocks.axis(inAxes[i], scans.get(i).rank());
      long steps = scans.get(0).dim(axes[0]);
      return scanOnce(c, body, states, scans, axes, inDirs, outAxes, outDirs, steps, outTypes).toArray();
    }
    // Scan-8: every state and scan input has a leading batch axis; the scan axis is 1.
    long batch = scans.get(0).dim(0);
    long steps = scans.get(0).dim(1);
    Tensor lens = c.has(0) ? c.tensor(0) : null;
    List<List<Tensor>> perBatch = new ArrayList<>();
    for (int i = 0; i < l.states + l.outputs; i++) perBatch.add(new ArrayList<>());
    int[] axes = new int[l.scans];
    List<TensorType> unbatched = new ArrayList<>();
    for (TensorType t : outTypes) unbatched.add(t.withShape(TypeMerge.remove(t.shape(), 0)));
    for (long b = 0; b < batch; b++) {
      List<Object> st = new ArrayList<>();
      for (Object s : states) st.add(Blocks.take((Tensor) s, 0, b));
      List<Tensor> sc = new ArrayList<>();
      for (Tensor t : scans) sc.add(Blocks.take(t, 0, b));
      long len = lens == null ? steps : lens.getLong(b);
      if (len < 0 || len > steps) throw c.fail("sequence_lens[" + b + "] = " + len + " outside [0, " + steps + "]");
      List<Tensor> trimmed = new ArrayList<>();
      for (int i = 0; i < sc.size(); i++) {
        Tensor t = sc.get(i);
        trimmed.add(len == steps ? t : Blocks.range(t, 0, 0, len));
      }
      List<Object> r = scanOnce(c, body, st, trimmed, axes, inDirs, new long[l.outputs], outDirs, len, unbatched);
      for (int i = 0; i < r.size(); i++) {
        Tensor t = (Tensor) r.get(i);
        if (i >= l.states && len < steps) {
          long[] pad = t.shape();
          pad[0] = steps - len;
          t = Blocks.concat(List.of(t, Tensor.zeros(t.dtype(), pad)), 0);
        }
        perBatch.get(i).add(t);
      }
    }
    Object[] out = new Object[l.states + l.outputs];
    for (int i = 0; i < out.length; i++) {
      List<Tensor> parts = perBatch.get(i);
      out[i] = parts.isEmpty() ? stackOrEmpty(c, parts, 0, c.outputType(i))
          : Blocks.stack(parts, 0, parts.get(0).dtype(), parts.get(0).shape());
    }
    return out;
  }

  /** One Scan-9 pass: returns final states then stacked scan outputs. */
  private static List<Object> scanOnce(KernelContext c, Graph body, List<Object> states, List<Tensor> scans, int[] axes,
      long[] inDirs, long[] outAxes, long[] outDirs, long steps, List<TensorType> outTypes) {
    for (int i = 0; i < scans.size(); i++) {
      if (scans.get(i).dim(axes[i]) != steps) {
        throw c.fail("scan input " + i + " has " + scans.get(i).dim(axes[i]) + " steps, input 0 has " + steps);
      }
    }
    int nOut = outTypes.size();
    List<List<Tensor>> outs = new ArrayList<>();
    for (int i = 0; i < nOut; i++) outs.add(new ArrayList<>());
    List<Object> st = new ArrayList<>(states);
    for (long t = 0; t < steps; t++) {
      List<Object> args = new ArrayList<>(st);
      for (int i = 0; i < scans.size(); i++) {
        args.add(Blocks.take(scans.get(i), axes[i], inDirs[i] == 0 ? t : steps - 1 - t));
      }
      List<Object> r = c.runSubgraph(body, args);
      for (int i = 0; i < st.size(); i++) st.set(i, r.get(i));
      for (int i = 0; i < nOut; i++) {
        if (!(r.get(st.size() + i) instanceof Tensor x)) throw c.fail("scan output " + i + " is not a tensor");
        outs.get(i).add(x);
      }
    }
    List<Object> result = new ArrayList<>(st);
    for (int i = 0; i < nOut; i++) {
      List<Tensor> parts = outs.get(i);
      if (outDirs[i] != 0) Collections.reverse(parts);
      int rank = parts.isEmpty() ? (outTypes.get(i).shape().isRanked() ? outTypes.get(i).rank() - 1 : 0)
          : parts.get(0).rank();
      result.add(stackOrEmpty(c, parts, Blocks.axis(outAxes[i], rank + 1), outTypes.get(i)));
    }
    return result;
  }
}
