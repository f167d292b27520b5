package dev.weft.ir.ops;

import static dev.weft.ir.ops.OpHarness.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SliceOpsTest {
  static final Tensor TEN = f32(s(10), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  static final Tensor X23 = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
  static final Tensor ROW = f32(s(3), 1, 2, 3);

  static Map<String, Attribute> sl(long[] starts, long[] ends, long[] axes, long[] steps) {
    var m = new java.util.HashMap<String, Attribute>();
    m.put("starts", Attribute.of(starts));
    m.put("ends", Attribute.of(ends));
    if (axes != null) m.put("axes", Attribute.of(axes));
    if (steps != null) m.put("steps", Attribute.of(steps));
    return m;
  }

  @Test
  void sliceClampsAndCountsFromTheEnd() {
    assertFloats(run1("slice", sl(s(-3), s(Long.MAX_VALUE), null, null), TEN), s(3), 7, 8, 9);
    assertFloats(run1("slice", sl(s(1000), s(1000), null, null), TEN), s(0));
    assertFloats(run1("slice", sl(s(-1000), s(2), null, null), TEN), s(2), 0, 1);
    assertFloats(run1("slice", sl(s(5), s(3), null, null), TEN), s(0));
    assertFloats(run1("slice", sl(s(0, 1), s(2, -1), null, null), X23), s(2, 1), 2, 5);
  }

  @Test
  void sliceNegativeSteps() {
    assertFloats(run1("slice", sl(s(-1), s(-1000), null, s(-2)), TEN), s(5), 9, 7, 5, 3, 1);
    assertFloats(run1("slice", sl(s(-1), s(-4), s(1), s(-1)), X23), s(2, 3), 3, 2, 1, 6, 5, 4);
    assertFloats(run1("slice", sl(s(100), s(7), null, s(-1)), TEN), s(2), 9, 8);
    assertThrows(IrException.class, () -> run1("slice", sl(s(0), s(1), null, s(0)), TEN));
  }

  @Test
  void sliceOperandsAtRunTime() {
    assertFloats(run1("slice", Map.of(), X23, i64(1), i64(3), i64(-1), i64(1)), s(2, 2), 2, 3, 5, 6);
    Tensor strs = Tensor.ofStrings(s(3), "a", "b", "c");
    assertEquals(List.of("c", "b"), List.of(run1("slice", sl(s(2), s(0), null, s(-1)), strs).toStringArray()));
  }

  @Test
  void sliceKeepsSymbolsWhereStatic() {
    TensorType t = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4));
    assertShape("[N,3,2]", infer("slice", sl(s(0, 1), s(Long.MAX_VALUE, 3), s(0, 2), null), t).get(0));
    assertShape("[N,2,4]", infer("slice", sl(s(-1), s(0), s(1), s(-1)), t).get(0));
  }

  @Test
  void padModes() {
    assertFloats(run1("pad", Map.of(), ROW, i64(2, 1), Tensor.scalar(DType.F32, 9)), s(6), 9, 9, 1, 2, 3, 9);
    assertFloats(run1("pad", Map.of("pads", ints(2, 2), "mode", Attribute.of("reflect")), ROW), s(7), 3, 2, 1, 2, 3, 2, 1);
    assertFloats(run1("pad", Map.of("pads", ints(2, 1), "mode", Attribute.of("edge")), ROW), s(6), 1, 1, 1, 2, 3, 3);
    assertFloats(run1("pad", Map.of("pads", ints(2, 1), "mode", Attribute.of("wrap")), ROW), s(6), 2, 3, 1, 2, 3, 1);
    assertFloats(run1("pad", Map.of("pads", ints(-1, 1)), ROW), s(3), 2, 3, 0);
    assertFloats(run1("pad", Map.of("pads", ints(1, 0), "value", Attribute.of(1.5)), X23, null, null, i64(-1)),
        s(2, 4), 1.5f, 1, 2, 3, 1.5f, 4, 5, 6);
    assertFloats(run1("pad", Map.of("pads", ints(1, 1, 0, 0), "mode", Attribute.of("reflect")), X23),
        s(3, 4), 5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6);
    assertShape("[N,5,4]", infer("pad", Map.of("pads", ints(0, 1, 0, 0, 1, 0)),
        TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4))).get(0));
    assertThrows(IrException.class, () -> run1("pad", Map.of("pads", ints(-2, -2)), ROW));
  }

  @Test
  void centerCropPad() {
    Tensor five = f32(s(5), 1, 2, 3, 4, 5);
    assertFloats(run1("center_crop_pad", Map.of("shape", ints(3)), five), s(3), 2, 3, 4);
    assertFloats(run1("center_crop_pad", Map.of("shape", ints(4)), five), s(4), 1, 2, 3, 4);
    assertFloats(run1("center_crop_pad", Map.of(), five, i64(8)), s(8), 0, 1, 2, 3, 4, 5, 0, 0);
    assertFloats(run1("center_crop_pad", Map.of("shape", ints(1, 1), "axes", ints(-1, 0)), X23), s(1, 1), 2);
  }
}
