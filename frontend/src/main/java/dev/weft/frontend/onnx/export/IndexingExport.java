package dev.weft.frontend.onnx.export;

import static dev.weft.frontend.onnx.export.ExportContext.intAttr;

import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Indexing, selection and ordering rows. */
final class IndexingExport implements ExportFamily {
  @Override
  public void register(ExportTable t) {
    t.add("gather", Rules.same("Gather", "axis"));
    t.add("gather_elements", Rules.same("GatherElements", "axis"));
    t.add("gather_nd", Rules.same("GatherND", "batch_dims"));
    t.add("scatter_elements", Rules.same("ScatterElements", "axis", "reduction"));
    t.add("scatter_nd", Rules.same("ScatterND", "reduction"));
    t.add("one_hot", Rules.same("OneHot", "axis"));
    t.add("non_zero", Rules.same("NonZero"));
    t.add("compress", Rules.same("Compress", "axis"));
    t.add("unique", Rules.same("Unique", "sorted", "axis"));
    t.add("reverse_sequence", Rules.same("ReverseSequence", "batch_axis", "time_axis"));
    t.add("top_k", (n, cx) -> cx.node("TopK", List.of(cx.in(n, 0), cx.intsOr(n, "k", 1)), cx.outs(n),
        cx.attrs(n, "axis", "largest", "sorted")));
    t.add("sort", IndexingExport::sort);
    t.add("cum_sum", IndexingExport::cumSum);
    t.add("cum_prod", Rules.weft("ONNX CumProd needs opset 26"));
  }

  /** A full sort is TopK with k = the axis length (a constant when static, else Shape-15 of that dim). */
  static void sort(Node n, ExportContext cx) {
    long axis = n.attrs().getInt("axis");
    Shape s = n.input(0).tensorType().shape();
    String k;
    int r = s.isRanked() ? s.rank() : -1;
    long a = axis < 0 && r >= 0 ? axis + r : axis;
    if (r >= 0 && s.dim((int) a).isStatic()) {
      k = cx.constI64(cx.out(n, 0) + "_k", s.dim((int) a).size());
    } else if (axis >= 0 || r >= 0) {
      k = cx.tmp("Shape", cx.out(n, 0) + "_k", List.of(cx.in(n, 0)), List.of(intAttr("start", a), intAttr("end", a + 1)));
    } else {
      // Unranked with a negative axis: Shape-15 clamps start/end from the end.
      List<AttributeProto> se = new ArrayList<>(List.of(intAttr("start", axis)));
      if (axis != -1) se.add(intAttr("end", axis + 1));
      k = cx.tmp("Shape", cx.out(n, 0) + "_k", List.of(cx.in(n, 0)), se);
    }
    cx.node("TopK", List.of(cx.in(n, 0), k), cx.outs(n), List.of(intAttr("axis", axis),
        intAttr("largest", n.attrs().getInt("descending")), intAttr("sorted", 1)));
  }

  /** CumSum takes the axis as a 0-D tensor input. */
  static void cumSum(Node n, ExportContext cx) {
    Attribute a = n.attribute("axis");
    String axis = a instanceof Attribute.Int i ? cx.scalarI64(cx.out(n, 0) + "_axis", i.value()) : cx.in(n, 1);
    cx.node("CumSum", List.of(cx.in(n, 0), axis), cx.outs(n), cx.attrs(n, "exclusive", "reverse"));
  }
}
