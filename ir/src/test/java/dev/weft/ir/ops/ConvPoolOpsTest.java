package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvPoolOpsTest {
  static final Tensor X33 = f(s(1, 1, 3, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8);

  @Test
  void convWithPadsAndStrides() {
    Tensor y = run1("conv", Map.of("pads", Attribute.of(1L, 1, 1, 1), "strides", Attribute.of(2L, 2)), X33, f(s(1, 1, 2, 2), 1, 1, 1, 1));
    assertTensor(y, s(1, 1, 2, 2), 0, 3, 9, 24);
  }

  @Test
  void convWithDilation() {
    Tensor y = run1("conv", Map.of("dilations", Attribute.of(2L, 2)), X33, f(s(1, 1, 2, 2), 1, 1, 1, 1));
    assertTensor(y, s(1, 1, 1, 1), 16);
  }

  @Test
  void groupedConvWithBias() {
    Tensor y = run1("conv", Map.of("group", Attribute.of(2L)), f(s(1, 2, 1, 1), 1, 2), f(s(2, 1, 1, 1), 3, 4), f(s(2), 1, 1));
    assertTensor(y, s(1, 2, 1, 1), 4, 9);
  }

  @Test
  void sameUpperAutoPadKeepsSize() {
    Tensor y = run1("conv", Map.of("auto_pad", Attribute.of("SAME_UPPER")), X33, f(s(1, 1, 3, 3), 0, 0, 0, 0, 1, 0, 0, 0, 0));
    assertTensor(y, s(1, 1, 3, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void convTranspose1d() {
    Tensor x = f(s(1, 1, 3), 1, 2, 3);
    Tensor w = f(s(1, 1, 2), 1, 1);
    assertTensor(run1("conv_transpose", Map.of(), x, w), s(1, 1, 4), 1, 3, 5, 3);
    assertTensor(run1("conv_transpose", Map.of("strides", ints(2)), x, w), s(1, 1, 6), 1, 1, 2, 2, 3, 3);
    assertTensor(run1("conv_transpose", Map.of("strides", ints(2), "output_padding", ints(1)), x, w),
        s(1, 1, 7), 1, 1, 2, 2, 3, 3, 0);
  }

  @Test
  void channelMismatchIsRejected() {
    assertThrows(IrException.class, () -> run1("conv", Map.of(), X33, f(s(1, 2, 1, 1), 1, 1)));
  }

  @Test
  void maxPoolCeilModeAndIndices() {
    Map<String, Attribute> a = Map.of("kernel_shape", Attribute.of(2L, 2), "strides", Attribute.of(2L, 2),
        "ceil_mode", Attribute.of(1L), "return_indices", Attribute.of(1L));
    List<Tensor> r = run("max_pool", a, X33);
    assertTensor(r.get(0), s(1, 1, 2, 2), 4, 5, 7, 8);
    assertTensor(r.get(1), s(1, 1, 2, 2), 4, 5, 7, 8);
    assertTensor(run1("max_pool", Map.of("kernel_shape", Attribute.of(2L, 2), "strides", Attribute.of(2L, 2)), X33), s(1, 1, 1, 1), 4);
  }

  @Test
  void maxPoolColumnMajorIndices() {
    Map<String, Attribute> a = Map.of("kernel_shape", Attribute.of(2L, 2), "storage_order", Attribute.of(1L), "return_indices", Attribute.of(1L));
    // maxima at (1,1), (1,2), (2,1), (2,2): column-major index h + w * 3.
    assertTensor(run("max_pool", a, X33).get(1), s(1, 1, 2, 2), 4, 7, 5, 8);
  }

  @Test
  void avgPoolCountIncludePad() {
    Tensor x = f(s(1, 1, 3), 1, 2, 3);
    Map<String, Attribute> base = Map.of("kernel_shape", ints(2), "pads", Attribute.of(1L, 1));
    assertTensor(run1("avg_pool", base, x), s(1, 1, 4), 1, 1.5, 2.5, 3);
    Map<String, Attribute> inc = new java.util.HashMap<>(base);
    inc.put("count_include_pad", Attribute.of(1L));
    assertTensor(run1("avg_pool", inc, x), s(1, 1, 4), 0.5, 1.5, 2.5, 1.5);
  }

  @Test
  void lpPoolKernel() {
    Tensor x = f(s(1, 1, 2), 3, 4);
    assertTensor(run1("lp_pool", Map.of("kernel_shape", ints(2), "p", Attribute.of(2L)), x), s(1, 1, 1), 5);
  }

  @Test
  void maxPoolOnU8() {
    Tensor x = Tensor.of(DType.U8, s(1, 1, 4), 1, 200, 3, 4);
    assertTensor(run1("max_pool", Map.of("kernel_shape", ints(2), "strides", ints(2)), x), s(1, 1, 2), 200, 4);
  }
}
