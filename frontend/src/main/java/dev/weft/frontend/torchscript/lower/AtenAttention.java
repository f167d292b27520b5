package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.AtenTable.row;
import static dev.weft.frontend.torchscript.lower.Emit.attrs;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyTuple;
import dev.weft.frontend.torchscript.lower.Aten.A;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attention onto the IR {@code attention} composite: {@code scaled_dot_product_attention} (torch
 * 2.x; 3-D or 4-D q/k/v, bool mask true = attend, float mask added) and the fused
 * {@code nn.MultiheadAttention} fast path {@code _native_multi_head_attention} (batch-first
 * [B, L, E] inputs, packed in-projection, bool mask true = masked out; mask_type 0 an [L, S]
 * attention mask, 1 a [B, S] key-padding mask, 2 a [B, H, L, S] mask).
 */
final class AtenAttention {
  private AtenAttention() {}

  static void register() {
    row("scaled_dot_product_attention", "query, key, value, attn_mask=None, dropout_p=0., is_causal=False, scale=None, "
        + "enable_gqa=False", AtenAttention::sdpa);
    row("_native_multi_head_attention", "query, key, value, embed_dim, num_head, qkv_weight, qkv_bias, proj_weight, "
        + "proj_bias, mask=None, need_weights=True, average_attn_weights=True, mask_type=None", AtenAttention::mha);
  }

  private static Object sdpa(A a, Aten x) {
    Emit e = x.emit();
    if (a.d("dropout_p") != 0) throw a.fail("scaled_dot_product_attention with dropout_p > 0 is random (eval models pass 0)");
    Value q = a.t("query");
    Value k = a.t("key");
    Value v = a.t("value");
    int r = Emit.rank(q);
    if (r != 3 && r != 4 || Emit.rank(k) != r || Emit.rank(v) != r) {
      throw a.fail("scaled_dot_product_attention needs 3-D or 4-D query, key and value of one rank");
    }
    Value mask = a.tOrNull("attn_mask");
    if (r == 3) {
      Map<String, Attribute> ax1 = attrs("axes", new long[] {1});
      q = e.op("unsqueeze", ax1, q);
      k = e.op("unsqueeze", ax1, k);
      v = e.op("unsqueeze", ax1, v);
      if (mask != null && Emit.rank(mask) == 3) mask = e.op("unsqueeze", ax1, mask);
    }
    if (mask != null && Emit.dtype(mask) != DType.BOOL) mask = e.cast(mask, Emit.dtype(q));
    Map<String, Attribute> at = attrs("is_causal", a.b("is_causal") ? 1L : 0L);
    if (!a.none("scale")) at.putAll(attrs("scale", a.d("scale")));
    Value y = attention(x, q, k, v, mask, at).get(0);
    return r == 3 ? e.op("squeeze", attrs("axes", new long[] {1}), y) : y;
  }

  private static Object mha(A a, Aten x) {
    Emit e = x.emit();
    long embed = a.l("embed_dim");
    long heads = a.l("num_head");
    if (heads <= 0 || embed % heads != 0) throw a.fail("embed_dim " + embed + " does not split into " + heads + " heads");
    long d = embed / heads;
    Value w = a.t("qkv_weight");
    Value b = a.tOrNull("qkv_bias");
    Value[] qkv = new Value[3];
    String[] names = {"query", "key", "value"};
    for (int i = 0; i < 3; i++) {
      Map<String, Attribute> rows = attrs("starts", new long[] {i * embed}, "ends", new long[] {(i + 1) * embed}, "axes", new long[] {0});
      Value wi = e.op("slice", rows, w);
      Value in = a.t(names[i]);
      if (Emit.rank(in) != 3) throw a.fail("_native_multi_head_attention needs batch-first [B, L, E] inputs");
      Value p = e.op("matmul", in, e.op("transpose", attrs("perm", new long[] {1, 0}), wi));
      if (b != null) p = e.op("add", p, e.op("slice", rows, b));
      Value split = e.op("reshape", attrs("shape", new long[] {0, 0, heads, d}), p);
      qkv[i] = e.op("transpose", attrs("perm", new long[] {0, 2, 1, 3}), split);
    }
    Value mask = a.tOrNull("mask");
    if (mask != null) {
      long type = a.none("mask_type") ? (Emit.rank(mask) == 4 ? 2 : 0) : a.l("mask_type");
      if (type == 1) mask = e.op("unsqueeze", attrs("axes", new long[] {1, 2}), mask);    // [B, S] -> [B, 1, 1, S]
      mask = Emit.dtype(mask) == DType.BOOL ? e.op("not", mask) : e.cast(mask, Emit.dtype(qkv[0]));
    }
    boolean weights = a.b("need_weights");
    Map<String, Attribute> at = new java.util.LinkedHashMap<>();
    if (weights) at.putAll(attrs("qk_output_mode", 3L));
    List<Value> att = attention(x, qkv[0], qkv[1], qkv[2], mask, at);
    Value merged = e.op("reshape", attrs("shape", new long[] {0, 0, embed}),
        e.op("transpose", attrs("perm", new long[] {0, 2, 1, 3}), att.get(0)));
    Value out = e.op("matmul", merged, e.op("transpose", attrs("perm", new long[] {1, 0}), a.t("proj_weight")));
    if (!a.none("proj_bias")) out = e.op("add", out, a.t("proj_bias"));
    Value probs;
    if (!weights) {
      probs = e.constant(Tensor.of(Emit.dtype(out), new long[] {0}));     // torch returns an empty tensor
    } else if (a.b("average_attn_weights")) {
      probs = e.op("reduce_mean", attrs("axes", new long[] {1}, "keepdims", 0L), att.get(1));
    } else {
      probs = att.get(1);
    }
    return new PyTuple(List.of(out, probs));
  }

  private static List<Value> attention(Aten x, Value q, Value k, Value v, Value mask, Map<String, Attribute> at) {
    List<Value> ins = new ArrayList<>(List.of(q, k, v));
    if (mask != null) ins.add(mask);
    return x.emit().b.op("attention", ins, at);
  }
}
