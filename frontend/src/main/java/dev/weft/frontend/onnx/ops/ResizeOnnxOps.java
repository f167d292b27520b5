package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Resize (10: scales only, asymmetric; 11+: roi, scales, sizes and the coordinate modes; 18:
 * antialias, axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric) and Upsample (7: scales
 * attribute; 9: scales operand) onto the custom op resize.
 */
public final class ResizeOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    t.add("Resize", 10, (n, c) -> legacy(n, c, n.required(1)));
    for (int v : new int[] {11, 13, 18, 19}) t.add("Resize", v, ResizeOnnxOps::resize);
    t.add("Upsample", 7, (n, c) -> legacy(n, c, c.constant(Tensor.ofFloats(new long[] {n.attrFloats("scales", new double[0]).length},
        toFloats(n.attrFloats("scales", new double[0]))))));
    t.add("Upsample", 9, (n, c) -> legacy(n, c, n.required(1)));
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  static List<Value> resize(OnnxNode n, ImportContext c) {
    Map<String, Attribute> m = pass(n, "mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
        "exclude_outside", "extrapolation_value", "antialias", "keep_aspect_ratio_policy", "axes");
    Value[] ins = NnOnnxOps.inputs(n, 4);
    return List.of(c.builder().op("resize", Arrays.asList(ins), m).get(0));
  }

  /** Resize-10 and Upsample: scales only, asymmetric coordinates, nearest rounds down. */
  static List<Value> legacy(OnnxNode n, ImportContext c, Value scales) {
    String mode = n.attrString("mode", "nearest");
    if (mode.equals("bilinear")) mode = "linear";
    Map<String, Attribute> m = Map.of("mode", Attribute.of(mode), "coordinate_transformation_mode", Attribute.of("asymmetric"),
        "nearest_mode", Attribute.of("floor"));
    return List.of(c.builder().op("resize", Arrays.asList(n.required(0), null, scales), m).get(0));
  }
}
