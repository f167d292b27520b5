package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attention (23, 24) onto the composite attention: 3-D operands are split into heads
 * (q_num_heads, kv_num_heads), past_key/past_value are concatenated along the sequence axis
 * (present_key/present_value results) and the causal mask is offset by the past length.
 */
public final class AttentionOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {23, 24}) t.add("Attention", v, AttentionOnnxOps::lower);
  }

  static Value heads(ImportContext c, Value x, long heads) {
    return transpose(c.builder(), reshape(c, x, 0, 0, heads, -1), 0, 2, 1, 3);
  }

  static List<Value> lower(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    if (n.hasInput(6)) throw c.fail(n, "nonpad_kv_seqlen is not supported");
    if (n.wantsOutput(3)) throw c.fail(n, "qk_matmul_output is not supported");
    Value q = n.required(0), k = n.required(1), v = n.required(2);
    boolean threeD = rank(n, c, q) == 3;
    if (threeD) {
      long qh = n.attrInt("q_num_heads", 0), kh = n.attrInt("kv_num_heads", 0);
      if (qh <= 0 || kh <= 0) throw c.fail(n, "3-D attention needs q_num_heads and kv_num_heads");
      q = heads(c, q, qh);
      k = heads(c, k, kh);
      v = heads(c, v, kh);
    }
    long offset = 0;
    if (n.hasInput(4)) {
      Dim past = n.input(4).tensorType().shape().dim(2);
      if (n.attrInt("is_causal", 0) != 0 && !past.isStatic()) throw c.fail(n, "causal attention with a symbolic past length");
      offset = past.isStatic() ? past.size() : 0;
      k = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(4), k);
    }
    if (n.hasInput(5)) v = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(5), v);
    Map<String, Attribute> m = new HashMap<>(pass(n, "scale", "is_causal", "softcap"));
    m.put("causal_offset", Attribute.of(offset));
    Value mask = n.input(3);
    Value y = mask == null ? b.op1("attention", m, q, k, v) : b.op1("attention", m, q, k, v, mask);
    if (threeD) y = reshape(c, transpose(b, y, 0, 2, 1, 3), 0, 0, -1);
    return outs(n, y, k, v);
  }
}
