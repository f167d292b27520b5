package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * GridSample (16: bilinear/bicubic names, 2-D; 20, 22: linear/cubic, N-d), RoiAlign (10: no
 * coordinate_transformation_mode, so output_half_pixel; 16, 22: half_pixel by default),
 * MaxUnpool (9, 11, 22) and DeformConv (19, 22) onto grid_sample, roi_align, max_unpool and
 * deform_conv.
 */
public final class SamplingOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {16, 20, 22}) t.add("GridSample", v, SamplingOnnxOps::gridSample);
    t.add("RoiAlign", 10, (n, c) -> roiAlign(n, c, "output_half_pixel"));
    for (int v : new int[] {16, 22}) t.add("RoiAlign", v, (n, c) -> roiAlign(n, c, n.attrString("coordinate_transformation_mode", "half_pixel")));
    for (int v : new int[] {9, 11, 22}) t.add("MaxUnpool", v, (n, c) -> List.of(c.builder().op1("max_unpool",
        pass(n, "kernel_shape", "strides", "pads"), NnOnnxOps.inputs(n, 3))));
    for (int v : new int[] {19, 22}) t.add("DeformConv", v, (n, c) -> List.of(c.builder().op1("deform_conv",
        pass(n, "kernel_shape", "strides", "pads", "dilations", "group", "offset_group"), NnOnnxOps.inputs(n, 5))));
  }

  static List<Value> gridSample(OnnxNode n, ImportContext c) {
    String mode = switch (n.attrString("mode", n.version() < 20 ? "bilinear" : "linear")) {
      case "bilinear" -> "linear";
      case "bicubic" -> "cubic";
      case String m -> m;
    };
    Map<String, Attribute> m = pass(n, "padding_mode", "align_corners");
    m.put("mode", Attribute.of(mode));
    return List.of(c.builder().op1("grid_sample", m, n.required(0), n.required(1)));
  }

  static List<Value> roiAlign(OnnxNode n, ImportContext c, String coordinates) {
    Map<String, Attribute> m = pass(n, "mode", "output_height", "output_width", "sampling_ratio", "spatial_scale");
    m.put("coordinate_transformation_mode", Attribute.of(coordinates));
    return List.of(c.builder().op1("roi_align", m, n.required(0), n.required(1), n.required(2)));
  }
}
