package dev.weft.ir.ops;

import static dev.weft.ir.ops.OpHarness.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerateSelectOpsTest {
  static final Tensor X234 = Tensor.zeros(DType.F32, 2, 3, 4);

  @Test
  void shapeOfWithStartEndAndSize() {
    assertLongs(run1("shape_of", Map.of(), X234), s(3), 2, 3, 4);
    assertLongs(run1("shape_of", Map.of("start", Attribute.of(1L)), X234), s(2), 3, 4);
    assertLongs(run1("shape_of", Map.of("start", Attribute.of(-1L)), X234), s(1), 4);
    assertLongs(run1("shape_of", Map.of("start", Attribute.of(-10L), "end", Attribute.of(1L)), X234), s(1), 2);
    assertLongs(run1("shape_of", Map.of("start", Attribute.of(2L), "end", Attribute.of(1L)), X234), s(0));
    assertLongs(run1("size", Map.of(), X234), s(), 24);
    assertShape("[2]", infer("shape_of", Map.of("end", Attribute.of(-1L)), TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4))).get(0));
  }

  @Test
  void fillAndIota() {
    Tensor seven = Tensor.ofInts(s(1), 7);
    Tensor f = run1("fill", Map.of("value", Attribute.of(seven)), i64(2, 2));
    assertEquals(DType.I32, f.dtype());
    assertLongs(Tensor.ofLongs(f.shape(), f.toLongArray()), s(2, 2), 7, 7, 7, 7);
    assertFloats(run1("fill", Map.of("shape", ints(0)), (Tensor) null), s(0));
    assertThrows(IrException.class, () -> run1("fill", Map.of("shape", ints(1L << 40, 1L << 20))));
    assertLongs(run1("iota", Map.of(), Tensor.scalar(DType.I64, 0), Tensor.scalar(DType.I64, 10), Tensor.scalar(DType.I64, 3)),
        s(4), 0, 3, 6, 9);
    Tensor down = run1("iota", Map.of(), Tensor.ofInts(s(), 10), Tensor.ofInts(s(), 4), Tensor.ofInts(s(), -3));
    assertEquals(List.of(10L, 7L), List.of(down.getLong(0), down.getLong(1)));
    assertFloats(run1("iota", Map.of(), Tensor.scalar(DType.F32, 1), Tensor.scalar(DType.F32, 2), Tensor.scalar(DType.F32, 0.5)),
        s(2), 1, 1.5f);
    Graph g = new Graph("g");
    GraphBuilder b = new GraphBuilder(g);
    Value r = b.op1("iota", b.constant(Tensor.scalar(DType.I64, 0)), b.constant(Tensor.scalar(DType.I64, 10)),
        b.constant(Tensor.scalar(DType.I64, 3)));
    assertShape("[4]", r.type());
  }

  @Test
  void eyeLikeAndTrilu() {
    Tensor e = run1("eye_like", Map.of("k", Attribute.of(1L), "dtype", Attribute.of(DType.I32)), Tensor.zeros(DType.F32, 3, 4));
    assertEquals(DType.I32, e.dtype());
    assertLongs(Tensor.ofLongs(e.shape(), e.toLongArray()), s(3, 4), 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
    Tensor x = f32(s(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertFloats(run1("trilu", Map.of(), x), s(3, 3), 1, 2, 3, 0, 5, 6, 0, 0, 9);
    assertFloats(run1("trilu", Map.of("upper", Attribute.of(0L)), x, Tensor.scalar(DType.I64, -1)), s(3, 3), 0, 0, 0, 4, 0, 0, 7, 8, 0);
  }

  @Test
  void nonZeroCompressOneHot() {
    assertLongs(run1("non_zero", Map.of(), f32(s(2, 2), 1, 0, 0, 3)), s(2, 2), 0, 1, 0, 1);
    Tensor x23 = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(run1("compress", Map.of("axis", Attribute.of(0L)), x23, Tensor.ofBools(s(2), false, true)), s(1, 3), 4, 5, 6);
    assertFloats(run1("compress", Map.of(), x23, Tensor.ofBools(s(3), true, false, true)), s(2), 1, 3);
    Tensor oh = run1("one_hot", Map.of(), i64(0, -1, 5), Tensor.scalar(DType.I64, 3), f32(s(2), 0, 1));
    assertFloats(oh, s(3, 3), 1, 0, 0, 0, 0, 1, 0, 0, 0);
    assertFloats(run1("one_hot", Map.of("axis", Attribute.of(0L)), i64(1, 0), Tensor.scalar(DType.F32, 2), f32(s(2), 2, 5)),
        s(2, 2), 2, 5, 5, 2);
  }

  @Test
  void reverseSequenceAndDepthSpace() {
    // time-major [4, 2]: batch 0 reverses 3 steps, batch 1 reverses 1.
    Tensor x = f32(s(4, 2), 0, 10, 1, 11, 2, 12, 3, 13);
    assertFloats(run1("reverse_sequence", Map.of(), x, i64(3, 1)), s(4, 2), 2, 10, 1, 11, 0, 12, 3, 13);
    Tensor d = f32(s(1, 8, 1, 1), 0, 1, 2, 3, 4, 5, 6, 7);
    Tensor dcr = run1("depth_to_space", Map.of("blocksize", Attribute.of(2L)), d);
    assertFloats(dcr, s(1, 2, 2, 2), 0, 2, 4, 6, 1, 3, 5, 7);
    assertFloats(run1("depth_to_space", Map.of("blocksize", Attribute.of(2L), "mode", Attribute.of("CRD")), d),
        s(1, 2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
    assertFloats(run1("space_to_depth", Map.of("blocksize", Attribute.of(2L)), dcr), s(1, 8, 1, 1), 0, 1, 2, 3, 4, 5, 6, 7);
    assertShape("[N,2,6,8]", infer("depth_to_space", Map.of("blocksize", Attribute.of(2L)),
        TensorType.of(DType.F32, Dim.sym("N"), Dim.of(8), Dim.of(3), Dim.of(4))).get(0));
  }
}
