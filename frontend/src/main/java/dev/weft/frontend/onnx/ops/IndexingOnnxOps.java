package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.OnnxArgs.constInts;
import static dev.weft.frontend.onnx.ops.OnnxArgs.one;

import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.List;

/**
 * ONNX indexing, selection and ordering ops: Gather, GatherElements, GatherND, Scatter,
 * ScatterElements, ScatterND, OneHot, NonZero, Compress, TopK, CumSum, CumProd, ReverseSequence, Unique.
 */
public final class IndexingOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    t.add("Gather", 1, (n, c) -> one(axisOp(n, c, "gather", 2)));
    t.add("GatherElements", 11, (n, c) -> one(axisOp(n, c, "gather_elements", 2)));
    t.add("GatherND", 11, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).in(n.required(1))
        .attrInt("batch_dims", n.attrInt("batch_dims", 0)).build1("gather_nd")));
    t.add("Scatter", 9, (n, c) -> one(axisOp(n, c, "scatter_elements", 3)));
    t.add("ScatterElements", 11, (n, c) -> one(scatter(n, c, "scatter_elements", true)));
    t.add("ScatterND", 11, (n, c) -> one(scatter(n, c, "scatter_nd", false)));
    t.add("OneHot", 9, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).in(n.required(1)).in(n.required(2))
        .attrInt("axis", n.attrInt("axis", -1)).build1("one_hot")));
    t.add("NonZero", 9, (n, c) -> one(c.builder().op1("non_zero", n.required(0))));
    t.add("Compress", 9, (n, c) -> {
      OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).in(n.required(1));
      if (n.hasAttr("axis")) a.attrInt("axis", n.attrInt("axis", 0));
      return one(a.build1("compress"));
    });
    t.add("TopK", 1, (n, c) -> topK(n, c, n.requireAttr("k").getI(), null));
    t.add("TopK", 10, (n, c) -> topK(n, c, -1, n.required(1)));
    t.add("CumSum", 11, (n, c) -> one(cumulative(n, c, "cum_sum")));
    t.add("CumProd", 26, (n, c) -> one(cumulative(n, c, "cum_prod")));
    t.add("ReverseSequence", 10, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).in(n.required(1))
        .attrInt("batch_axis", n.attrInt("batch_axis", 1)).attrInt("time_axis", n.attrInt("time_axis", 0))
        .build1("reverse_sequence")));
    t.add("Unique", 11, (n, c) -> {
      OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).attrInt("sorted", n.attrInt("sorted", 1));
      if (n.hasAttr("axis")) a.attrInt("axis", n.attrInt("axis", 0));
      return OnnxArgs.first(a.build("unique"), n.outputCount());
    });
  }

  static Value axisOp(OnnxNode n, ImportContext c, String op, int operands) {
    OnnxArgs a = new OnnxArgs(n, c).attrInt("axis", n.attrInt("axis", 0));
    for (int i = 0; i < operands; i++) a.in(n.required(i));
    return a.build1(op);
  }

  static Value cumulative(OnnxNode n, ImportContext c, String op) {
    long[] axis = constInts(c, n.required(1));
    OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).attrInt("exclusive", n.attrInt("exclusive", 0))
        .attrInt("reverse", n.attrInt("reverse", 0));
    if (axis != null && axis.length == 1) a.attrInt("axis", axis[0]);
    else a.in(n.required(1));
    return a.build1(op);
  }

  static Value scatter(OnnxNode n, ImportContext c, String op, boolean axis) {
    String r = n.attrString("reduction", "none");
    long v = n.version();
    if ((r.equals("add") || r.equals("mul")) && v < 16 || (r.equals("max") || r.equals("min")) && v < 18) {
      throw c.fail(n, "reduction '" + r + "' is not defined at opset " + v);
    }
    OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).in(n.required(1)).in(n.required(2))
        .attr("reduction", Attribute.of(r));
    if (axis) a.attrInt("axis", n.attrInt("axis", 0));
    return a.build1(op);
  }

  static List<Value> topK(OnnxNode n, ImportContext c, long k, Value kInput) {
    OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).attrInt("axis", n.attrInt("axis", -1));
    if (n.version() >= 11) {
      a.attrInt("largest", n.attrInt("largest", 1)).attrInt("sorted", n.attrInt("sorted", 1));
    }
    if (kInput != null) {
      long[] kc = constInts(c, kInput);
      if (kc != null && kc.length == 1) a.attrInt("k", kc[0]);
      else a.in(kInput);
    } else {
      a.attrInt("k", k);
    }
    return a.build("top_k");
  }
}
