package dev.weft.compiler;

import dev.weft.bundle.DType;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a kernel group's matmul off into a cuBLASLt library step: the group's body (a fused
 * body or a one-node wrap) qualifies when it holds exactly one matmul whose operands are body
 * inputs (no in-group transposes or prologue), float32/float16/bfloat16, rank >= 2 with static
 * shapes, no zero points, and each operand's batch dims either equal to the result's or all 1
 * (batch stride 0). What remains of the body (bias, activation, residual) becomes an epilogue
 * graph lowered to generated kernels as before, reading the matmul result as an extra input.
 *
 * <p>cuBLASLt's own bias/ReLU epilogues are not used yet: an epilogue kernel is one extra pass
 * over the result, and keeping the epilogue generated covers every fused pattern the planner
 * makes, not just the few cuBLASLt offers.
 */
final class MatmulSplit {
  private MatmulSplit() {}

  /**
   * A split group.
   *
   * @param matmul the matmul node inside the body
   * @param aInput body input index of the row-major left operand
   * @param bInput body input index of the row-major right operand
   * @param call the library call (cuBLAS column-major: its A is our right operand)
   * @param resultOutput the body output index the matmul result is (-1: it is internal)
   * @param epilogue the rest of the body, inputs = body inputs + the matmul result; null when the body is the matmul alone
   * @param epilogueOutputs for each epilogue output, the body output index it computes
   */
  record Split(Node matmul, int aInput, int bInput, LibraryMatmul call, int resultOutput, Graph epilogue,
               List<Integer> epilogueOutputs) { }

  private static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16);

  /** The split of {@code body}, or null when it does not qualify (the group stays kernels). */
  static Split of(Graph body) {
    Node mm = null;
    for (Node n : body.nodes()) {
      if (n.opName().equals("matmul")) {
        if (mm != null) return null;
        mm = n;
      }
    }
    if (mm == null) return null;
    for (int i = 2; i < mm.inputs().size(); i++) if (mm.input(i) != null) return null;
    int ai = body.inputs().indexOf(mm.input(0));
    int bi = body.inputs().indexOf(mm.input(1));
    if (ai < 0 || bi < 0) return null;
    LibraryMatmul call = call(mm);
    if (call == null) return null;
    Value result = mm.output(0);
    int resultOutput = -1;
    for (int i = 0; i < body.outputs().size(); i++) {
      if (body.outputs().get(i) == result) {
        if (resultOutput >= 0) return null;
        resultOutput = i;
      }
    }
    if (body.nodes().size() == 1) return new Split(mm, ai, bi, call, resultOutput, null, List.of());
    List<Integer> outs = new ArrayList<>();
    Graph epilogue = epilogue(body, mm, outs);
    return new Split(mm, ai, bi, call, resultOutput, epilogue, outs);
  }

  /** The library call for a row-major matmul node, or null when cuBLASLt cannot take it as is. */
  static LibraryMatmul call(Node mm) {
    if (!(mm.input(0).type() instanceof TensorType ta) || !(mm.input(1).type() instanceof TensorType tb)
        || !(mm.output(0).type() instanceof TensorType tc)) return null;
    if (!ta.shape().isStatic() || !tb.shape().isStatic() || !tc.shape().isStatic()) return null;
    if (!DTYPES.contains(ta.dtype()) || ta.dtype() != tb.dtype() || tc.dtype() != ta.dtype()) return null;
    long[] sa = ta.shape().sizes();
    long[] sb = tb.shape().sizes();
    long[] sc = tc.shape().sizes();
    if (sa.length < 2 || sb.length < 2 || sc.length < 2) return null;
    boolean transA = mm.attrs().getIntOr("transpose_a", 0) != 0;
    boolean transB = mm.attrs().getIntOr("transpose_b", 0) != 0;
    long rows = sc[sc.length - 2];
    long cols = sc[sc.length - 1];
    long inner = transA ? sa[sa.length - 2] : sa[sa.length - 1];
    if (rows < 1 || cols < 1 || inner < 1) return null;
    long[] batchDims = Arrays.copyOf(sc, sc.length - 2);
    long batch = 1;
    for (long d : batchDims) batch *= d;
    long strideA = batchStride(sa, batchDims);
    long strideB = batchStride(sb, batchDims);
    if (strideA < 0 || strideB < 0) return null;
    // Row-major C = a x b is column-major C^T = b^T x a^T: cuBLAS's A is our b, its B our a.
    // A stored row-major matrix's leading dimension is its stored last dim, transposed or not.
    return new LibraryMatmul(cols, rows, inner, batch, transB, transA, sb[sb.length - 1], sa[sa.length - 1], cols,
        strideB, strideA, rows * cols, ta.dtype(), "none");
  }

  /** Elements between batches of an operand: its matrix size, 0 when broadcast, -1 when its batch dims fit neither. */
  private static long batchStride(long[] shape, long[] batchDims) {
    long[] own = Arrays.copyOf(shape, shape.length - 2);
    long count = 1;
    for (long d : own) count *= d;
    if (count == 1) return 0;
    if (!Arrays.equals(own, batchDims)) return -1;
    return shape[shape.length - 2] * shape[shape.length - 1];
  }

  /** {@code body} without {@code mm}: its inputs plus the matmul result, its outputs other than the result. */
  private static Graph epilogue(Graph body, Node mm, List<Integer> outs) {
    Graph g = new Graph(body.name() + "_epilogue");
    Map<Value, Value> map = new IdentityHashMap<>();
    for (Value in : body.inputs()) map.put(in, g.addInput(g.claim(in.name()), in.type()));
    Value result = mm.output(0);
    map.put(result, g.addInput(g.claim(result.name()), result.type()));
    for (Node n : body.nodes()) {
      if (n == mm) continue;
      Node clone = g.append(n.op(), n.location());
      for (Value v : n.inputs()) clone.addInput(v == null ? null : map.get(v));
      clone.setAttributes(n.attributes());
      for (Value v : n.outputs()) map.put(v, clone.addOutput(g.claim(v.name()), v.type()));
    }
    for (int i = 0; i < body.outputs().size(); i++) {
      Value v = body.outputs().get(i);
      if (v == result) continue;
      g.addOutput(map.get(v));
      outs.add(i);
    }
    return g;
  }
}
