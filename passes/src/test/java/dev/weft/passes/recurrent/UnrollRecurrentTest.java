package dev.weft.passes.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * unroll-recurrent keeps results: the interpreter runs each op node as built and again after the
 * pass (which must have removed it), on random shapes and values, for every op, direction and
 * layout, with and without bias, sequence_lens, initial states, peepholes, clip and non-default
 * activations. The reference is RnnOps' own kernel, not the pass.
 */
class UnrollRecurrentTest {
  static final String[] OPS = {"lstm", "gru", "rnn"};
  static final String[] DIRECTIONS = {"forward", "reverse", "bidirectional"};

  @TestFactory
  Stream<DynamicTest> randomCases() {
    List<DynamicTest> out = new ArrayList<>();
    long seed = 1;
    for (String op : OPS) {
      for (String dir : DIRECTIONS) {
        for (int layout = 0; layout < 2; layout++) {
          for (int variant = 0; variant < 4; variant++) {
            long sd = seed++;
            int l = layout, v = variant;
            out.add(DynamicTest.dynamicTest(op + " " + dir + " layout=" + l + " variant=" + v + " seed=" + sd, () -> check(op, dir, l, v, sd)));
          }
        }
      }
    }
    return out.stream();
  }

  /** variant bits: 1 = bias, initial states and peepholes; 2 = sequence_lens, clip, other activations (and op flags). */
  static void check(String op, String dir, int layout, int variant, long seed) {
    Random rnd = new Random(seed);
    int dirs = dir.equals("bidirectional") ? 2 : 1;
    int gates = op.equals("lstm") ? 4 : op.equals("gru") ? 3 : 1;
    int seq = 1 + rnd.nextInt(4), batch = 1 + rnd.nextInt(3), in = 1 + rnd.nextInt(4), hs = 1 + rnd.nextInt(4);
    boolean full = (variant & 1) != 0, masked = (variant & 2) != 0;
    Graph g = new Graph("g");
    GraphBuilder b = new GraphBuilder(g);
    List<Object> args = new ArrayList<>();
    long[] xs = layout == 1 ? new long[] {batch, seq, in} : new long[] {seq, batch, in};
    long[] st = layout == 1 ? new long[] {batch, dirs, hs} : new long[] {dirs, batch, hs};
    List<Value> ins = new ArrayList<>();
    ins.add(input(g, "x", xs, rnd, args));
    ins.add(input(g, "w", new long[] {dirs, gates * hs, in}, rnd, args));
    ins.add(input(g, "r", new long[] {dirs, gates * hs, hs}, rnd, args));
    ins.add(full ? input(g, "b", new long[] {dirs, 2L * gates * hs}, rnd, args) : null);
    if (masked) {
      int[] lens = new int[batch];
      for (int i = 0; i < batch; i++) lens[i] = rnd.nextInt(seq + 1);   // 0 and seq included
      Tensor t = Tensor.ofInts(new long[] {batch}, lens);
      ins.add(g.addInput("lens", new TensorType(DType.I32, Shape.of(batch))));
      args.add(t);
    } else {
      ins.add(null);
    }
    ins.add(full ? input(g, "h0", st, rnd, args) : null);
    if (op.equals("lstm")) {
      ins.add(full ? input(g, "c0", st, rnd, args) : null);
      ins.add(full ? input(g, "p", new long[] {dirs, 3L * hs}, rnd, args) : null);
    }
    while (!ins.isEmpty() && ins.get(ins.size() - 1) == null) ins.remove(ins.size() - 1);
    Map<String, Attribute> attrs = new HashMap<>();
    attrs.put("hidden_size", Attribute.of((long) hs));
    attrs.put("direction", Attribute.of(dir));
    attrs.put("layout", Attribute.of((long) layout));
    if (masked) {
      attrs.put("clip", Attribute.of(0.7));
      List<String> acts = new ArrayList<>();
      for (int d = 0; d < dirs; d++) {
        acts.addAll(switch (op) {
          case "lstm" -> List.of("HardSigmoid", "LeakyRelu", "ScaledTanh");
          case "gru" -> List.of("Affine", "Softsign");
          default -> List.of(d == 0 ? "Relu" : "Elu");
        });
      }
      attrs.put("activations", new Attribute.Strs(acts));
      attrs.put("activation_alpha", new Attribute.Floats(new double[] {0.3, 0.5, 0.9, 0.4, 0.6, 1.1}));
      attrs.put("activation_beta", new Attribute.Floats(new double[] {0.2, 0.8, 0.1, 0.7}));
      if (op.equals("lstm")) attrs.put("input_forget", Attribute.of(1L));
      if (op.equals("gru")) attrs.put("linear_before_reset", Attribute.of(1L));
    }
    for (Value v : b.op(op, ins, attrs)) g.addOutput(v);
    Module m = new Module(g);
    List<Object> expected = new Interpreter().run(g, args);
    PassManager.parse("unroll-recurrent").run(m);
    for (Node n : g.nodes()) assertTrue(!UnrollRecurrent.OPS.contains(n.opName()), "the " + op + " node is still there");
    List<Object> actual = new Interpreter().run(g, args);
    for (int i = 0; i < expected.size(); i++) assertClose((Tensor) expected.get(i), (Tensor) actual.get(i), "result " + i);
  }

  @Test
  void symbolicSequenceLengthIsLeft() {
    Graph g = new Graph("g");
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(Dim.sym("seq"), Dim.of(2), Dim.of(3))));
    Value w = g.addInput("w", new TensorType(DType.F32, Shape.of(1, 4, 3)));
    Value r = g.addInput("r", new TensorType(DType.F32, Shape.of(1, 4, 1)));
    for (Value v : b.op("lstm", List.of(x, w, r), Map.of("hidden_size", Attribute.of(1L)))) g.addOutput(v);
    assertTrue(!PassManager.parse("unroll-recurrent").run(new Module(g)).changed());
    assertEquals("lstm", g.nodes().get(g.nodes().size() - 1).opName());
  }

  static Value input(Graph g, String name, long[] shape, Random rnd, List<Object> args) {
    double[] v = new double[(int) Tensor.elementCount(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rnd.nextDouble() * 2 - 1;
    args.add(Tensor.of(DType.F32, shape, v));
    return g.addInput(name, new TensorType(DType.F32, Shape.of(shape)));
  }

  static void assertClose(Tensor e, Tensor a, String what) {
    assertEquals(List.of(toList(e.shape())), List.of(toList(a.shape())), what + ": shape");
    for (long i = 0; i < e.size(); i++) {
      double x = e.getDouble(i), y = a.getDouble(i);
      assertTrue(Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(x), what + ": element " + i + ": expected " + x + ", got " + y);
    }
  }

  static List<Long> toList(long[] s) {
    List<Long> l = new ArrayList<>();
    for (long v : s) l.add(v);
    return l;
  }
}
