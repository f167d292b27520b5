package dev.weft.frontend.onnx.export;

import static dev.weft.frontend.onnx.export.ExportContext.intAttr;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Constants;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape and data-movement rows. IR ops keep a shape-like operand as a static attribute when it
 * was known at import; ONNX (opset 13+) wants it as an i64 input, so it becomes an initializer.
 */
final class ShapeExport implements ExportFamily {
  @Override
  public void register(ExportTable t) {
    t.add(Constants.OP, ShapeExport::constant);
    t.add("identity", Rules.same("Identity"));
    t.add("reshape", (n, cx) -> cx.node("Reshape", List.of(cx.in(n, 0), cx.intsOr(n, "shape", 1)), cx.outs(n),
        cx.attrs(n, "allowzero")));
    t.add("squeeze", (n, cx) -> cx.node("Squeeze", List.of(cx.in(n, 0), cx.intsOr(n, "axes", 1)), cx.outs(n), List.of()));
    t.add("unsqueeze", (n, cx) -> cx.node("Unsqueeze", List.of(cx.in(n, 0), cx.intsOr(n, "axes", 1)), cx.outs(n), List.of()));
    t.add("flatten", Rules.same("Flatten", "axis"));
    t.add("transpose", Rules.same("Transpose", "perm"));
    t.add("broadcast", (n, cx) -> cx.node("Expand", List.of(cx.in(n, 0), cx.intsOr(n, "shape", 1)), cx.outs(n), List.of()));
    t.add("concat", Rules.same("Concat", "axis"));
    t.add("split", ShapeExport::split);
    t.add("tile", (n, cx) -> cx.node("Tile", List.of(cx.in(n, 0), cx.intsOr(n, "repeats", 1)), cx.outs(n), List.of()));
    t.add("slice", (n, cx) -> cx.node("Slice", List.of(cx.in(n, 0), cx.intsOr(n, "starts", 1), cx.intsOr(n, "ends", 2),
        cx.intsOr(n, "axes", 3), cx.intsOr(n, "steps", 4)), cx.outs(n), List.of()));
    t.add("pad", ShapeExport::pad);
    t.add("center_crop_pad", (n, cx) -> cx.node("CenterCropPad", List.of(cx.in(n, 0), cx.intsOr(n, "shape", 1)), cx.outs(n),
        cx.attrs(n, "axes")));
    t.add("shape_of", Rules.same("Shape", "start", "end"));
    t.add("size", Rules.same("Size"));
    t.add("fill", (n, cx) -> cx.node("ConstantOfShape", List.of(cx.intsOr(n, "shape", 0)), cx.outs(n), cx.attrs(n, "value")));
    t.add("iota", Rules.same("Range"));
    t.add("eye_like", Rules.same("EyeLike", "k", "dtype"));
    t.add("trilu", Rules.same("Trilu", "upper"));
    t.add("depth_to_space", Rules.same("DepthToSpace", "blocksize", "mode"));
    t.add("space_to_depth", Rules.same("SpaceToDepth", "blocksize"));
  }

  static void constant(Node n, ExportContext cx) {
    cx.addConstant(n.attrs().getTensor("value"), cx.out(n, 0));
  }

  /** Split-18: sizes as an input, else num_outputs (equal parts, the last one smaller). */
  static void split(Node n, ExportContext cx) {
    String sizes = cx.intsOr(n, "sizes", 1);
    List<dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto> attrs = new ArrayList<>(cx.attrs(n, "axis"));
    if (sizes.isEmpty()) attrs.add(intAttr("num_outputs", n.outputCount()));
    cx.node("Split", List.of(cx.in(n, 0), sizes), cx.outs(n), attrs);
  }

  /** Pad-21: pads, constant_value and axes as inputs; an attribute value becomes a scalar of x's dtype. */
  static void pad(Node n, ExportContext cx) {
    String value = cx.in(n, 2);
    Attribute v = n.attribute("value");
    if (value.isEmpty() && v instanceof Attribute.Float f && f.value() != 0 && n.input(0).type() instanceof TensorType xt) {
      value = cx.constant(Tensor.scalar(xt.dtype(), f.value()), cx.out(n, 0) + "_value");
    }
    cx.node("Pad", List.of(cx.in(n, 0), cx.intsOr(n, "pads", 1), value, cx.intsOr(n, "axes", 3)), cx.outs(n),
        cx.attrs(n, "mode"));
  }
}
