package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.lower.LoweringCheck.Const;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Core reductions against the interpreter (f32 accumulation vs the interpreter's f64: rtol 1e-4, atol 1e-5). */
class ReductionLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  static Map<String, Attribute> attrs(long[] axes, long keepdims) {
    Map<String, Attribute> m = new HashMap<>();
    if (axes != null) m.put("axes", Attribute.of(axes));
    m.put("keepdims", Attribute.of(keepdims));
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod"})
  void axesAttributeVariants(String op) {
    double range = op.equals("reduce_prod") ? 1.5 : 4;
    Tensor x = random(DType.F32, op.hashCode(), range, 3, 5, 1, 7);
    for (long keep : new long[] {0, 1}) {
      check(op, attrs(new long[] {1}, keep), RTOL, ATOL, x);
      check(op, attrs(new long[] {-1}, keep), RTOL, ATOL, x);
      check(op, attrs(new long[] {0, -1}, keep), RTOL, ATOL, x);
      check(op, attrs(new long[] {2}, keep), RTOL, ATOL, x);
      check(op, attrs(null, keep), RTOL, ATOL, x);
      check(op, attrs(new long[0], keep), RTOL, ATOL, x);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod"})
  void axesOperandVariants(String op) {
    Tensor x = random(DType.F32, 7, 1.5, 4, 3, 6);
    Tensor axes = Tensor.ofLongs(new long[] {2}, 2, -3);
    Tensor none = Tensor.ofLongs(new long[] {0});
    for (long keep : new long[] {0, 1}) {
      check(op, attrs(null, keep), RTOL, ATOL, x, new Const(axes));
      Map<String, Attribute> all = attrs(null, keep);
      all.put("noop_with_empty_axes", Attribute.of(0L));
      check(op, all, RTOL, ATOL, x, new Const(none));
      Map<String, Attribute> noop = attrs(null, keep);
      noop.put("noop_with_empty_axes", Attribute.of(1L));
      check(op, noop, RTOL, ATOL, x, new Const(none));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod"})
  void zeroSizedReducedDimGivesIdentity(String op) {
    Tensor x = Tensor.zeros(DType.F32, 3, 0, 2);
    check(op, attrs(new long[] {1}, 1), 0, 0, x);
    check(op, attrs(new long[] {1}, 0), 0, 0, x);
    check(op, attrs(null, 0), 0, 0, x);
    Tensor xi = Tensor.zeros(DType.I32, 2, 0);
    check(op, attrs(new long[] {1}, 0), 0, 0, xi);
    // a 0-sized kept dim: an empty result
    check(op, attrs(new long[] {0}, 1), 0, 0, Tensor.zeros(DType.F32, 2, 0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod"})
  void integersWrapLikeTheInterpreter(String op) {
    check(op, attrs(new long[] {1}, 0), 0, 0, random(DType.I32, 3, 100000, 4, 9));
    check(op, attrs(new long[] {0}, 1), 0, 0, random(DType.U8, 4, 250, 5, 3));
    check(op, attrs(new long[] {-1}, 0), 0, 0, random(DType.I8, 5, 120, 2, 3, 11));
    check(op, attrs(null, 0), 0, 0, random(DType.I64, 6, 1e12, 3, 4));
  }

  @Test
  void boolMaxAndMin() {
    Tensor b = random(DType.BOOL, 8, 1, 4, 6);
    for (String op : new String[] {"reduce_max", "reduce_min"}) {
      check(op, attrs(new long[] {1}, 0), 0, 0, b);
      check(op, attrs(new long[] {1}, 0), 0, 0, Tensor.zeros(DType.BOOL, 3, 0));
    }
  }

  @Test
  void nanPropagatesThroughMaxAndMin() {
    Tensor x = Tensor.ofFloats(new long[] {2, 3}, 1f, Float.NaN, 3f, Float.NEGATIVE_INFINITY, 2f, -1f);
    check("reduce_max", attrs(new long[] {1}, 0), 0, 0, x);
    check("reduce_min", attrs(new long[] {1}, 0), 0, 0, x);
    check("reduce_sum", attrs(new long[] {0}, 0), 0, 0, x);
  }

  @Test
  void narrowAndWideFloats() {
    check("reduce_sum", attrs(new long[] {1}, 0), 1e-3, 1e-3, random(DType.F16, 9, 2, 3, 17));
    check("reduce_max", attrs(new long[] {0}, 1), 0, 0, random(DType.BF16, 10, 2, 5, 4));
    check("reduce_sum", attrs(new long[] {1}, 0), 1e-12, 1e-12, random(DType.F64, 11, 2, 3, 40));
  }

  @Test
  void globalPoolingIsAReductionOverSpatialDims() {
    Tensor x = random(DType.F32, 12, 3, 2, 3, 5, 7);
    check("reduce_mean", attrs(new long[] {2, 3}, 1), RTOL, ATOL, x);
    check("reduce_max", attrs(new long[] {2, 3}, 1), RTOL, ATOL, x);
  }

  @Test
  void runTimeAxesAreATypedError() {
    // axes known only at run time make the result shape dynamic: the lowering refuses, naming the node
    Tensor x = random(DType.F32, 13, 1, 2, 3);
    LoweringException e = assertThrows(LoweringException.class,
        () -> check("reduce_sum", attrs(null, 0), RTOL, ATOL, x, Tensor.ofLongs(new long[] {1}, 1)));
    assertTrue(e.getMessage().contains("reduce_sum") && e.getMessage().contains("dynamic shape"), e.getMessage());
  }
}
