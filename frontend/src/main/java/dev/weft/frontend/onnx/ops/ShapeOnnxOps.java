package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.OnnxArgs.constInts;
import static dev.weft.frontend.onnx.ops.OnnxArgs.one;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Shape;
import dev.weft.ir.Value;
import dev.weft.ir.ops.GenerateOps;
import dev.weft.ir.ops.ShapeMath;
import java.util.List;

/**
 * ONNX shape and data-movement ops: Reshape, Squeeze, Unsqueeze, Flatten, Transpose, Expand,
 * Concat, Split, Tile, Slice, Pad, CenterCropPad, Shape, Size, ConstantOfShape, Range,
 * DepthToSpace, SpaceToDepth, Trilu, EyeLike. Shape-like inputs known at import time become
 * static attributes; Shape and Size of static shapes become constants.
 */
public final class ShapeOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    t.add("Reshape", 1, (n, c) -> reshape(n, c, new OnnxArgs(n, c).in(n.required(0)).attrInts("shape", shapeAttr(n, c)), null));
    t.add("Reshape", 5, (n, c) -> reshape(n, c, new OnnxArgs(n, c).in(n.required(0)), n.required(1)));
    t.add("Squeeze", 1, (n, c) -> reshapeForm(n, c, "squeeze", new OnnxArgs(n, c).in(n.required(0)).attrInts("axes", n.attrInts("axes", null))));
    t.add("Squeeze", 13, (n, c) -> reshapeForm(n, c, "squeeze", new OnnxArgs(n, c).in(n.required(0)).ints("axes", n.input(1))));
    t.add("Unsqueeze", 1, (n, c) -> reshapeForm(n, c, "unsqueeze", new OnnxArgs(n, c).in(n.required(0)).attrInts("axes", requiredInts(n, c, "axes"))));
    t.add("Unsqueeze", 13, (n, c) -> reshapeForm(n, c, "unsqueeze", new OnnxArgs(n, c).in(n.required(0)).ints("axes", n.required(1))));
    t.add("Flatten", 1, (n, c) -> reshapeForm(n, c, "flatten", new OnnxArgs(n, c).in(n.required(0)).attrInt("axis", n.attrInt("axis", 1))));
    t.add("Transpose", 1, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).attrInts("perm", n.attrInts("perm", null)).build1("transpose")));
    t.add("Expand", 8, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).ints("shape", n.required(1)).build1("broadcast")));
    t.add("Concat", 1, (n, c) -> concat(n, c, n.attrInt("axis", 1)));
    t.add("Concat", 4, (n, c) -> concat(n, c, n.requireAttr("axis").getI()));
    t.add("Split", 1, (n, c) -> split(n, c, n.hasInput(1) ? n.input(1) : null, n.attrInts("split", null)));
    t.add("Split", 2, (n, c) -> split(n, c, null, n.attrInts("split", null)));
    t.add("Split", 13, (n, c) -> split(n, c, n.input(1), null));
    t.add("Tile", 6, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).ints("repeats", n.required(1)).build1("tile")));
    t.add("Slice", 1, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0))
        .attrInts("starts", requiredInts(n, c, "starts")).attrInts("ends", requiredInts(n, c, "ends"))
        .attrInts("axes", n.attrInts("axes", null)).build1("slice")));
    t.add("Slice", 10, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).ints("starts", n.required(1))
        .ints("ends", n.required(2)).ints("axes", n.input(3)).ints("steps", n.input(4)).build1("slice")));
    t.add("Pad", 1, (n, c) -> pad(n, c, n.attrInts("paddings", null)));
    t.add("Pad", 2, (n, c) -> pad(n, c, requiredInts(n, c, "pads")));
    t.add("Pad", 11, ShapeOnnxOps::padInputs);
    t.add("CenterCropPad", 18, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).ints("shape", n.required(1))
        .attrInts("axes", n.attrInts("axes", null)).build1("center_crop_pad")));
    t.add("Shape", 1, (n, c) -> shape(n, c, 0, null));
    t.add("Shape", 15, (n, c) -> shape(n, c, n.attrInt("start", 0), n.hasAttr("end") ? n.attrInt("end", 0) : null));
    t.add("Size", 1, ShapeOnnxOps::size);
    t.add("ConstantOfShape", 9, (n, c) -> {
      Tensor v = n.attrTensor("value");
      return one(new OnnxArgs(n, c).ints("shape", n.required(0)).attr("value", v == null ? null : Attribute.of(v)).build1("fill"));
    });
    t.add("Range", 11, (n, c) -> one(c.builder().op1("iota", scalar(c, n.required(0)), scalar(c, n.required(1)), scalar(c, n.required(2)))));
    t.add("DepthToSpace", 1, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).attrInt("blocksize", n.requireAttr("blocksize").getI())
        .attr("mode", Attribute.of(n.attrString("mode", "DCR"))).build1("depth_to_space")));
    t.add("SpaceToDepth", 1, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0))
        .attrInt("blocksize", n.requireAttr("blocksize").getI()).build1("space_to_depth")));
    t.add("Trilu", 14, (n, c) -> one(new OnnxArgs(n, c).in(n.required(0)).in(n.input(1))
        .attrInt("upper", n.attrInt("upper", 1)).build1("trilu")));
    t.add("EyeLike", 9, ShapeOnnxOps::eyeLike);
  }

  static long[] requiredInts(OnnxNode n, ImportContext c, String name) {
    long[] v = n.attrInts(name, null);
    if (v == null) throw c.fail(n, "missing required attribute '" + name + "'");
    return v;
  }

  static long[] shapeAttr(OnnxNode n, ImportContext c) { return requiredInts(n, c, "shape"); }

  static List<Value> reshape(OnnxNode n, ImportContext c, OnnxArgs args, Value shapeInput) {
    long allowzero = n.version() >= 14 ? n.attrInt("allowzero", 0) : 0;
    Value x = n.required(0);
    long[] target = shapeInput == null ? shapeAttr(n, c) : constInts(c, shapeInput);
    if (target != null && x.tensorType().shape().isStatic()) {
      // Resolve 0 and -1 now, so later stages see only plain sizes.
      try {
        target = ShapeMath.reshape(x.tensorType().shape().sizes(), target, allowzero != 0);
      } catch (IllegalArgumentException e) {
        throw c.fail(n, e.getMessage());
      }
      return one(c.builder().op1("reshape", java.util.Map.of("shape", Attribute.of(target)), x));
    }
    if (shapeInput != null) args.ints("shape", shapeInput);
    return one(args.attrInt("allowzero", allowzero).build1("reshape"));
  }

  /**
   * Range's operands are scalars by the spec, but function bodies (AffineGrid's) feed it
   * one-element 1-D tensors whose length is only known at run time (an If merging a [1] and a
   * [0] branch), and ONNX's reference accepts them. Reshape to rank 0: a run-time error if the
   * operand does not hold exactly one element.
   */
  static Value scalar(ImportContext c, Value v) {
    Shape s = v.tensorType().shape();
    if (s.isRanked() && s.rank() == 0) return v;
    return c.builder().op1("reshape", java.util.Map.of("shape", Attribute.of(new long[0])), v);
  }

  static List<Value> reshapeForm(OnnxNode n, ImportContext c, String op, OnnxArgs args) {
    return one(OnnxArgs.staticReshape(c.builder(), n.required(0), args.build1(op)));
  }

  static List<Value> concat(OnnxNode n, ImportContext c, long axis) {
    OnnxArgs a = new OnnxArgs(n, c).attrInt("axis", axis);
    for (int i = 0; i < n.inputCount(); i++) a.in(n.required(i));
    return one(a.build1("concat"));
  }

  static List<Value> split(OnnxNode n, ImportContext c, Value sizesInput, long[] sizesAttr) {
    OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).attrInt("axis", n.attrInt("axis", 0))
        .attrInt("num_outputs", n.outputCount()).attrInts("sizes", sizesAttr);
    if (n.hasAttr("num_outputs") && n.attrInt("num_outputs", 0) != n.outputCount()) {
      throw c.fail(n, "num_outputs is " + n.attrInt("num_outputs", 0) + " but the node has " + n.outputCount() + " outputs");
    }
    if (sizesInput != null) a.ints("sizes", sizesInput);
    return a.build("split");
  }

  static List<Value> pad(OnnxNode n, ImportContext c, long[] pads) {
    if (pads == null) throw c.fail(n, "missing required attribute 'pads'");
    return one(new OnnxArgs(n, c).in(n.required(0)).attrInts("pads", pads)
        .attr("mode", Attribute.of(n.attrString("mode", "constant")))
        .attr("value", Attribute.of(n.attrFloat("value", 0))).build1("pad"));
  }

  static List<Value> padInputs(OnnxNode n, ImportContext c) {
    String mode = n.attrString("mode", "constant");
    if (mode.equals("wrap") && n.version() < 19) throw c.fail(n, "mode 'wrap' needs opset 19");
    return one(new OnnxArgs(n, c).in(n.required(0)).ints("pads", n.required(1)).in(n.input(2))
        .ints("axes", n.input(3)).attr("mode", Attribute.of(mode)).build1("pad"));
  }

  static List<Value> shape(OnnxNode n, ImportContext c, long start, Long end) {
    Value x = n.required(0);
    Shape s = x.tensorType().shape();
    if (s.isRanked()) {
      long[] range = GenerateOps.shapeRange(start, end, s.rank());
      boolean known = true;
      for (long i = range[0]; i < range[1]; i++) known &= s.dim((int) i).isStatic();
      if (known) {
        long[] dims = new long[(int) (range[1] - range[0])];
        for (int i = 0; i < dims.length; i++) dims[i] = s.dim((int) range[0] + i).size();
        return one(c.constant(Tensor.ofLongs(new long[] {dims.length}, dims)));
      }
    }
    OnnxArgs a = new OnnxArgs(n, c).in(x).attrInt("start", start);
    if (end != null) a.attrInt("end", end);
    return one(a.build1("shape_of"));
  }

  static List<Value> size(OnnxNode n, ImportContext c) {
    Value x = n.required(0);
    Shape s = x.tensorType().shape();
    if (s.isStatic()) return one(c.constant(Tensor.ofLongs(new long[0], s.elementCount())));
    return one(c.builder().op1("size", x));
  }

  static List<Value> eyeLike(OnnxNode n, ImportContext c) {
    OnnxArgs a = new OnnxArgs(n, c).in(n.required(0)).attrInt("k", n.attrInt("k", 0));
    if (n.hasAttr("dtype")) {
      DType dt = DType.fromOnnx((int) n.attrInt("dtype", 0));
      if (dt == null) throw c.fail(n, "unknown dtype " + n.attrInt("dtype", 0));
      a.attr("dtype", Attribute.of(dt));
    }
    return one(a.build1("eye_like"));
  }
}
