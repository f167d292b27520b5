package dev.weft.passes.recurrent;

import dev.weft.ir.Value;
import dev.weft.ir.ops.RnnOps;
import java.util.List;

/**
 * One time step of a recurrent cell in core ops, for one direction. {@code xw} is the step's
 * input projection {@code x_t @ W^T + Wb} ([batch, gates * hidden], gates in ONNX order), h and
 * c the previous state. Formulas as in the ONNX operator specs and RnnOps' reference kernel.
 */
sealed interface Cell {
  /** The state after a step; c is null for cells without a cell state. */
  record State(Value h, Value c) {}

  State step(Value xw, Value h, Value c);

  /** {@code v}'s gate {@code k} of width {@code hs} along the last axis. */
  static Value gate(StepBuilder s, Value v, int k, long hs) { return s.slice(v, -1, k * hs, (k + 1) * hs); }

  /** H = f(xw + h R^T + Rb). */
  record Rnn(StepBuilder s, List<RnnOps.Activation> a, Value r, Value rb) implements Cell {
    @Override
    public State step(Value xw, Value h, Value c) {
      return new State(s.activate(a.get(0), s.add(xw, s.add(s.matmulT(h, r), rb))), null);
    }
  }

  /**
   * Gates i, o, f, c: i = f(.. + Pi*C), f = f(.. + Pf*C) (or 1 - i with input_forget),
   * c~ = g(..), C' = f*C + i*c~, o = f(.. + Po*C'), H = o * h(C').
   */
  record Lstm(StepBuilder s, List<RnnOps.Activation> a, long hs, Value r, Value rb, Value p, boolean inputForget) implements Cell {
    @Override
    public State step(Value xw, Value h, Value c) {
      Value pre = s.add(xw, s.add(s.matmulT(h, r), rb));
      Value it = s.activate(a.get(0), peephole(gate(s, pre, 0, hs), 0, c));
      Value ft = inputForget ? s.sub(s.scalar(1), it) : s.activate(a.get(0), peephole(gate(s, pre, 2, hs), 2, c));
      Value ct = s.activate(a.get(1), gate(s, pre, 3, hs));
      Value cn = s.add(s.mul(ft, c), s.mul(it, ct));
      Value ot = s.activate(a.get(0), peephole(gate(s, pre, 1, hs), 1, cn));
      return new State(s.mul(ot, s.apply(a.get(2), cn)), cn);
    }

    /** {@code v + P[k] * state}; P holds i, o, f. */
    private Value peephole(Value v, int k, Value state) {
      return p == null ? v : s.add(v, s.mul(s.slice(p, 0, k * hs, (k + 1) * hs), state));
    }
  }

  /**
   * Gates z, r, h: z = f(..), r = f(..), h~ = g(xw_h + (r*H) Rh^T + Rbh) or, with
   * linear_before_reset, g(xw_h + r * (H Rh^T + Rbh)); H' = (1 - z) * h~ + z * H.
   */
  record Gru(StepBuilder s, List<RnnOps.Activation> a, long hs, Value rzr, Value rh, Value rbzr, Value rbh, boolean linearBeforeReset)
      implements Cell {
    /** Splits R and Rb once per direction: z and r share one matmul, h~ needs its own. */
    static Gru of(StepBuilder s, List<RnnOps.Activation> a, long hs, Value r, Value rb, boolean linearBeforeReset) {
      return new Gru(s, a, hs, s.slice(r, 0, 0, 2 * hs), s.slice(r, 0, 2 * hs, 3 * hs),
          rb == null ? null : s.slice(rb, 0, 0, 2 * hs), rb == null ? null : s.slice(rb, 0, 2 * hs, 3 * hs), linearBeforeReset);
    }

    @Override
    public State step(Value xw, Value h, Value c) {
      Value zr = s.add(s.slice(xw, -1, 0, 2 * hs), s.add(s.matmulT(h, rzr), rbzr));
      Value zt = s.activate(a.get(0), gate(s, zr, 0, hs));
      Value rt = s.activate(a.get(0), gate(s, zr, 1, hs));
      Value recurrent = linearBeforeReset
          ? s.mul(rt, s.add(s.matmulT(h, rh), rbh))
          : s.add(s.matmulT(s.mul(rt, h), rh), rbh);
      Value ht = s.activate(a.get(1), s.add(gate(s, xw, 2, hs), recurrent));
      return new State(s.add(s.mul(s.sub(s.scalar(1), zt), ht), s.mul(zt, h)), null);
    }
  }
}
