package dev.weft.passes.recurrent;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.ops.RnnOps;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code unroll-recurrent}: an {@code lstm}, {@code gru} or {@code rnn} node whose sequence
 * length is static becomes its time steps written in core ops, so fusion and the ordinary
 * kernel rules take over (a kernel has no state that survives a time step, so the node itself
 * cannot be one kernel). Per direction: one matmul {@code x @ W^T + Wb} for all steps, then per
 * step {@code h @ R^T + Rb}, the gate slices, activations and the state update; Y, Y_h and Y_c
 * are concatenated from the steps. ONNX semantics as the interpreter's RnnOps: directions,
 * layout, clip, activations with alpha/beta, peepholes, input_forget, linear_before_reset.
 *
 * <p>sequence_lens is a mask, not a loop bound: at step t, batch rows with t >= len keep their
 * state and write 0 to Y. For the reverse direction that is exact too: walking t from seq-1
 * down, a row's state stays initial until t = len-1, which is where its own reversed walk starts.
 *
 * <p>A node with a symbolic sequence length (or zero steps) is left as it is; the lowering then
 * names the node and the dim. Runs after fold-shapes, which can make the length static, and
 * before constant-fold, which folds the weight slices this writes into constants.
 */
public final class UnrollRecurrent implements Pass {
  static final Set<String> OPS = Set.of("lstm", "gru", "rnn");

  @Override
  public String name() { return "unroll-recurrent"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    boolean changed = false;
    for (Graph g : Rewrite.allGraphs(module.main())) {
      for (Node n : new ArrayList<>(g.nodes())) {
        if (n.graph() == null || !OPS.contains(n.opName())) continue;
        if (staticSteps(n) < 1) {
          ctx.count("left-not-static");
          continue;
        }
        unroll(n, ctx);
        ctx.count(n.opName());
        changed = true;
      }
    }
    return changed;
  }

  /** The op's number of time steps, or -1 when it is not static (or x is not a ranked 3-D float tensor). */
  public static long staticSteps(Node n) {
    if (!(n.input(0).type() instanceof TensorType x) || !x.shape().isRanked() || x.rank() != 3 || !x.dtype().isFloat()) return -1;
    Dim seq = x.shape().dim(n.attrs().getInt("layout") == 1 ? 1 : 0);
    return seq.isStatic() ? seq.size() : -1;
  }

  private static void unroll(Node n, PassContext ctx) {
    String op = n.opName();
    boolean batchMajor = n.attrs().getInt("layout") == 1;
    String direction = n.attrs().getString("direction");
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    int steps = (int) staticSteps(n);
    long hs = n.attrs().getInt("hidden_size");
    int gates = switch (op) {
      case "lstm" -> 4;
      case "gru" -> 3;
      default -> 1;
    };
    List<RnnOps.Activation> acts = RnnOps.activations(n.attrs(), op);
    int perDir = acts.size() / dirs;
    DType dt = ((TensorType) n.input(0).type()).dtype();
    double clip = n.attrs().hasValue("clip") ? n.attrs().getFloat("clip") : Double.POSITIVE_INFINITY;
    StepBuilder s = new StepBuilder(Rewrite.before(n, ctx), dt, clip);

    Value x = n.input(0), w = n.input(1), r = n.input(2), bias = n.input(3), lens = n.input(4);
    Value h0 = n.input(5), c0 = op.equals("lstm") ? n.input(6) : null, p = op.equals("lstm") ? n.input(7) : null;
    if (batchMajor) {
      x = s.transpose(x, 1, 0, 2);
      if (h0 != null) h0 = s.transpose(h0, 1, 0, 2);
      if (c0 != null) c0 = s.transpose(c0, 1, 0, 2);
    }
    // Without an initial state, a [1, hidden] zero row broadcasts over the batch at the first step.
    Value zeros = s.builder().constant(Tensor.zeros(dt, 1, hs));
    Value[][] ys = new Value[dirs][steps];
    List<Value> lastH = new ArrayList<>(), lastC = new ArrayList<>();
    for (int d = 0; d < dirs; d++) {
      boolean reverse = direction.equals("reverse") || d == 1;
      List<RnnOps.Activation> a = acts.subList(d * perDir, (d + 1) * perDir);
      Value wd = s.index0(w, d), rd = s.index0(r, d);
      Value wb = null, rb = null;
      if (bias != null) {
        Value bd = s.index0(bias, d);
        wb = s.slice(bd, 0, 0, gates * hs);
        rb = s.slice(bd, 0, gates * hs, 2 * gates * hs);
      }
      Value xw = s.add(s.matmulT(x, wd), wb);                 // [seq, batch, gates * hidden]
      Cell cell = switch (op) {
        case "lstm" -> new Cell.Lstm(s, a, hs, rd, rb, p == null ? null : s.index0(p, d), n.attrs().getBool("input_forget"));
        case "gru" -> Cell.Gru.of(s, a, hs, rd, rb, n.attrs().getBool("linear_before_reset"));
        default -> new Cell.Rnn(s, a, rd, rb);
      };
      Value h = h0 == null ? zeros : s.index0(h0, d);
      Value c = c0 == null ? zeros : s.index0(c0, d);
      for (int step = 0; step < steps; step++) {
        int t = reverse ? steps - 1 - step : step;
        Cell.State next = cell.step(s.index0(xw, t), h, c);
        Value y = next.h();
        if (lens != null) {
          DType lt = ((TensorType) lens.type()).dtype();
          Value live = s.unsqueeze(s.builder().op1("less", s.builder().constant(Tensor.scalar(lt, t)), lens), 1);   // [batch, 1]
          y = s.select(live, next.h(), s.scalar(0));
          h = s.select(live, next.h(), h);
          if (next.c() != null) c = s.select(live, next.c(), c);
        } else {
          h = next.h();
          if (next.c() != null) c = next.c();
        }
        ys[d][t] = y;
      }
      lastH.add(s.unsqueeze(h, 0));
      if (op.equals("lstm")) lastC.add(s.unsqueeze(c, 0));
    }
    List<Value> results = new ArrayList<>();
    if (n.output(0).hasUses()) {
      List<Value> perDirection = new ArrayList<>();
      for (int d = 0; d < dirs; d++) {
        List<Value> perStep = new ArrayList<>();
        for (Value y : ys[d]) perStep.add(s.unsqueeze(y, 0, 1));
        perDirection.add(s.concat(perStep, 0));            // [seq, 1, batch, hidden]
      }
      Value y = s.concat(perDirection, 1);
      results.add(batchMajor ? s.transpose(y, 2, 0, 1, 3) : y);
    } else {
      results.add(null);
    }
    for (List<Value> state : op.equals("lstm") ? List.of(lastH, lastC) : List.of(lastH)) {
      Value v = s.concat(state, 0);
      results.add(batchMajor ? s.transpose(v, 1, 0, 2) : v);
    }
    for (int i = 0; i < n.outputCount(); i++) {
      Value old = n.output(i), with = results.get(i);
      if (with == null) continue;
      // A zero-step state or a shared value could be a graph input or another output already.
      if (!Rewrite.canReplace(old, with)) with = s.builder().op1("identity", with);
      if (!Rewrite.replace(old, with)) throw new IllegalStateException("cannot replace result " + i + " of " + op + " node " + old.name());
    }
    n.graph().remove(n);
  }
}
