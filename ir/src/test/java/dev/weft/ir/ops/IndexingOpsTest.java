package dev.weft.ir.ops;

import static dev.weft.ir.ops.OpHarness.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexingOpsTest {
  static final Tensor X23 = f32(s(2, 3), 1, 2, 3, 4, 5, 6);

  @Test
  void gatherNegativeIndicesAndShapes() {
    Tensor ind = Tensor.ofLongs(s(2, 2), 0, -1, 2, 1);
    assertFloats(run1("gather", Map.of("axis", Attribute.of(1L)), X23, ind), s(2, 2, 2), 1, 3, 3, 2, 4, 6, 6, 5);
    assertFloats(run1("gather", Map.of(), X23, Tensor.ofInts(s(), -1)), s(3), 4, 5, 6);
    assertShape("[N,5,7,4]", infer("gather", Map.of("axis", Attribute.of(1L)),
        TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4)), TensorType.of(DType.I64, 5, 7)).get(0));
  }

  @Test
  void gatherOutOfRangeIsATypedErrorNamingTheNode() {
    IrException e = assertThrows(IrException.class, () -> run1("gather", Map.of(), X23, i64(2)));
    assertTrue(e.getMessage().startsWith("gather -> %gather"), e.getMessage());
    assertTrue(e.getMessage().contains("index 2 is out of range"), e.getMessage());
    assertThrows(IrException.class, () -> run1("gather", Map.of(), X23, i64(-3)));
    assertThrows(IrException.class, () -> run1("gather_elements", Map.of(), X23, Tensor.ofLongs(s(1, 1), 5)));
    assertThrows(IrException.class, () -> run1("gather_nd", Map.of(), X23, Tensor.ofLongs(s(1, 2), 0, 3)));
    assertThrows(IrException.class, () -> run1("scatter_nd", Map.of(), X23, Tensor.ofLongs(s(1, 1), 9), f32(s(1, 3), 0, 0, 0)));
  }

  @Test
  void gatherElements() {
    Tensor ind = Tensor.ofLongs(s(2, 2), 0, 0, 1, -1);
    assertFloats(run1("gather_elements", Map.of("axis", Attribute.of(1L)), X23, ind), s(2, 2), 1, 1, 5, 6);
    Tensor rows = Tensor.ofLongs(s(1, 3), 1, 0, 1);
    assertFloats(run1("gather_elements", Map.of(), X23, rows), s(1, 3), 4, 2, 6);
  }

  @Test
  void gatherNdWithBatchDims() {
    Tensor x = f32(s(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
    assertFloats(run1("gather_nd", Map.of(), x, Tensor.ofLongs(s(2, 2), 0, 1, 1, 0)), s(2, 2), 2, 3, 4, 5);
    assertFloats(run1("gather_nd", Map.of("batch_dims", Attribute.of(1L)), x, Tensor.ofLongs(s(2, 1), 1, 0)), s(2, 2), 2, 3, 4, 5);
    assertFloats(run1("gather_nd", Map.of(), x, Tensor.ofLongs(s(1, 3), 1, -1, 0)), s(1), 6);
  }

  @Test
  void scatterElementsReductions() {
    Tensor data = f32(s(1, 4), 1, 2, 3, 4);
    Tensor ind = Tensor.ofLongs(s(1, 3), 1, -1, 1);
    Tensor upd = f32(s(1, 3), 10, 20, 30);
    assertFloats(run1("scatter_elements", Map.of("axis", Attribute.of(1L)), data, ind, upd), s(1, 4), 1, 30, 3, 20);
    assertFloats(run1("scatter_elements", Map.of("axis", Attribute.of(1L), "reduction", Attribute.of("add")), data, ind, upd),
        s(1, 4), 1, 42, 3, 24);
    assertFloats(run1("scatter_elements", Map.of("axis", Attribute.of(1L), "reduction", Attribute.of("mul")), data, ind, upd),
        s(1, 4), 1, 600, 3, 80);
    assertFloats(run1("scatter_elements", Map.of("axis", Attribute.of(1L), "reduction", Attribute.of("max")), data, ind, upd),
        s(1, 4), 1, 30, 3, 20);
    assertFloats(run1("scatter_elements", Map.of("axis", Attribute.of(1L), "reduction", Attribute.of("min")), data, ind, upd),
        s(1, 4), 1, 2, 3, 4);
    Tensor ints = Tensor.ofInts(s(3), 5, 6, 7);
    Tensor r = run1("scatter_elements", Map.of("reduction", Attribute.of("add")), ints, i64(0, 0), Tensor.ofInts(s(2), Integer.MAX_VALUE, 1));
    assertEquals(Integer.MIN_VALUE + 5, r.getLong(0), "integer addition wraps");
    assertThrows(IrException.class, () -> infer("scatter_elements", Map.of("reduction", Attribute.of("avg")),
        TensorType.of(DType.F32, 2), TensorType.of(DType.I64, 2), TensorType.of(DType.F32, 2)));
  }

  @Test
  void scatterNd() {
    Tensor data = f32(s(4, 2), 1, 1, 2, 2, 3, 3, 4, 4);
    Tensor ind = Tensor.ofLongs(s(2, 1), 3, -4);
    Tensor upd = f32(s(2, 2), 9, 8, 7, 6);
    assertFloats(run1("scatter_nd", Map.of(), data, ind, upd), s(4, 2), 7, 6, 2, 2, 3, 3, 9, 8);
    Tensor dup = Tensor.ofLongs(s(2, 2), 1, 0, 1, 0);
    assertFloats(run1("scatter_nd", Map.of("reduction", Attribute.of("add")), data, dup, f32(s(2), 10, 20)),
        s(4, 2), 1, 1, 32, 2, 3, 3, 4, 4);
  }
}
