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
import dev.weft.ir.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeOpsTest {
  static final Tensor X23 = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
  static final TensorType NC = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4));

  @Test
  void reshapeZeroCopiesAndMinusOneInfers() {
    assertFloats(run1("reshape", Map.of("shape", ints(0, -1)), X23), s(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(run1("reshape", Map.of(), X23, i64(3, -1)), s(3, 2), 1, 2, 3, 4, 5, 6);
    Tensor empty = Tensor.zeros(DType.F32, 0, 3);
    assertEquals(List.of(3L, 0L), List.of(run1("reshape", Map.of("shape", ints(3, 0), "allowzero", Attribute.of(1L)), empty).shape()[0],
        run1("reshape", Map.of("shape", ints(3, 0), "allowzero", Attribute.of(1L)), empty).shape()[1]));
    assertThrows(IrException.class, () -> run1("reshape", Map.of(), X23, i64(4, -1)));
  }

  @Test
  void reshapeKeepsSymbols() {
    assertShape("[N,12]", infer("reshape", Map.of("shape", ints(0, -1)), NC).get(0));
    assertShape("[N,2,6]", infer("reshape", Map.of("shape", ints(-1, 2, 6)), NC).get(0));
    assertShape("[4,3,N]", infer("reshape", Map.of("shape", ints(4, 3, -1)), NC).get(0));
    Type t = infer("reshape", Map.of("shape", ints(-1, 5)), NC).get(0);
    assertTrue(((TensorType) t).shape().dim(0) instanceof Dim.Symbol s && !s.name().equals("N"));
    assertThrows(IrException.class, () -> infer("reshape", Map.of("shape", ints(-1, -1)), NC));
    assertThrows(IrException.class, () -> infer("reshape", Map.of("shape", ints(5, 5)), TensorType.of(DType.F32, 2, 3)));
  }

  @Test
  void transposeDefaultReversesAndPermKeepsSymbols() {
    assertFloats(run1("transpose", Map.of(), X23), s(3, 2), 1, 4, 2, 5, 3, 6);
    Tensor x = f32(s(2, 1, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(run1("transpose", Map.of("perm", ints(2, 0, 1)), x), s(3, 2, 1), 1, 4, 2, 5, 3, 6);
    assertShape("[4,N,3]", infer("transpose", Map.of("perm", ints(2, 0, 1)), NC).get(0));
    assertThrows(IrException.class, () -> infer("transpose", Map.of("perm", ints(0, 0, 1)), NC));
    Tensor strs = Tensor.ofStrings(s(2, 2), "a", "b", "c", "d");
    assertEquals(List.of("a", "c", "b", "d"), List.of(run1("transpose", Map.of(), strs).toStringArray()));
  }

  @Test
  void broadcastIsBidirectional() {
    Tensor col = f32(s(3, 1), 1, 2, 3);
    assertFloats(run1("broadcast", Map.of("shape", ints(2, 1, 2)), col), s(2, 3, 2), 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
    assertFloats(run1("broadcast", Map.of(), col, i64(1, 1)), s(3, 1), 1, 2, 3);
    assertShape("[N,3,4]", infer("broadcast", Map.of("shape", ints(1, 1, 4)), NC).get(0));
  }

  @Test
  void concatAndSymbolicAxis() {
    Tensor b = f32(s(1, 3), 7, 8, 9);
    assertFloats(run1("concat", Map.of("axis", Attribute.of(0L)), X23, b), s(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertFloats(run1("concat", Map.of("axis", Attribute.of(-1L)), X23, f32(s(2, 1), 0, 0)), s(2, 4), 1, 2, 3, 0, 4, 5, 6, 0);
    assertShape("[N,3,8]", infer("concat", Map.of("axis", Attribute.of(2L)), NC, NC).get(0));
    Type t = infer("concat", Map.of("axis", Attribute.of(0L)), NC, NC).get(0);
    assertTrue(((TensorType) t).shape().dim(0) instanceof Dim.Symbol s && !s.name().equals("N"));
    assertThrows(IrException.class, () -> infer("concat", Map.of("axis", Attribute.of(0L)), NC, TensorType.of(DType.F32, 1, 5, 4)));
  }

  @Test
  void splitSizesAndUnevenChunks() {
    List<Object> r = run("split", Map.of("axis", Attribute.of(1L), "num_outputs", Attribute.of(2L), "sizes", ints(1, 2)), X23);
    assertFloats((Tensor) r.get(0), s(2, 1), 1, 4);
    assertFloats((Tensor) r.get(1), s(2, 2), 2, 3, 5, 6);
    Tensor seven = f32(s(7), 1, 2, 3, 4, 5, 6, 7);
    r = run("split", Map.of("num_outputs", Attribute.of(3L)), seven);
    assertFloats((Tensor) r.get(2), s(1), 7);
    r = run("split", Map.of("num_outputs", Attribute.of(2L)), seven, i64(0, 7));
    assertFloats((Tensor) r.get(0), s(0));
    List<Type> ts = infer("split", Map.of("axis", Attribute.of(2L), "num_outputs", Attribute.of(2L)), NC);
    assertShape("[N,3,2]", ts.get(1));
  }

  @Test
  void tileRepeats() {
    Tensor x = f32(s(2), 1, 2);
    assertFloats(run1("tile", Map.of("repeats", ints(3)), x), s(6), 1, 2, 1, 2, 1, 2);
    assertFloats(run1("tile", Map.of(), X23, i64(1, 2)), s(2, 6), 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6);
    assertShape("[N,6,4]", infer("tile", Map.of("repeats", ints(1, 2, 1)), NC).get(0));
  }

  @Test
  void squeezeUnsqueezeFlatten() {
    Tensor x = f32(s(1, 3, 1), 1, 2, 3);
    assertFloats(run1("squeeze", Map.of(), x), s(3), 1, 2, 3);
    assertFloats(run1("squeeze", Map.of(), x, i64(-1)), s(1, 3), 1, 2, 3);
    assertThrows(IrException.class, () -> run1("squeeze", Map.of("axes", ints(1)), x));
    assertFloats(run1("unsqueeze", Map.of("axes", ints(0, -1)), X23), s(1, 2, 3, 1), 1, 2, 3, 4, 5, 6);
    assertShape("[1,N,3,1,4]", infer("unsqueeze", Map.of("axes", ints(0, 3)), NC).get(0));
    assertShape("[N,4]", infer("squeeze", Map.of("axes", ints(1)),
        TensorType.of(DType.F32, Dim.sym("N"), Dim.of(1), Dim.of(4))).get(0));
    assertFloats(run1("flatten", Map.of("axis", Attribute.of(0L)), X23), s(1, 6), 1, 2, 3, 4, 5, 6);
    assertShape("[N,12]", infer("flatten", Map.of(), NC).get(0));
    assertShape("[1,N]", infer("flatten", Map.of("axis", Attribute.of(0L)), TensorType.of(DType.F32, Dim.sym("N"))).get(0));
  }
}
