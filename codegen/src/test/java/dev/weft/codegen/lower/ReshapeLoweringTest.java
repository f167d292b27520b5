package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.longs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** reshape and its named forms, transpose, broadcast, tile, depth/space rearrangements: exact against the interpreter. */
class ReshapeLoweringTest {
  @Test
  void reshapeWithZeroAndInferredEntries() {
    Tensor x = random(DType.F32, 1, 10, 2, 3, 4);
    check("reshape", Map.of(), 0, 0, x, longs(4, 0, -1));
    check("reshape", Map.of(), 0, 0, x, longs(-1));
    check("reshape", Map.of(), 0, 0, x, longs(6, 4));
    check("reshape", Map.of(), 0, 0, x, longs(2, 12, 1));
    check("reshape", Map.of(), 0, 0, x, longs(1, 3, 8, 1));
    check("reshape", attrs("shape", new long[] {4, 6}), 0, 0, x);
    // regrouping across dims: [6, 35] -> [15, 14] shares no factor boundary
    check("reshape", Map.of(), 0, 0, random(DType.I32, 2, 100, 6, 35), longs(15, 14));
    check("reshape", Map.of(), 0, 0, random(DType.I8, 3, 100, 5, 1, 7), longs(7, 5));
  }

  @Test
  void reshapeAllowzeroAndEmpty() {
    Tensor empty = random(DType.F32, 4, 1, 0, 3);
    check("reshape", attrs("allowzero", 1L), 0, 0, empty, longs(3, 0));
    check("reshape", Map.of(), 0, 0, empty, longs(0, 3, 1));
    check("reshape", Map.of(), 0, 0, random(DType.F32, 5, 1, 1), longs(1, 1));
    check("reshape", Map.of(), 0, 0, random(DType.F32, 5, 1, 1, 1), longs());
  }

  @Test
  void flattenSqueezeUnsqueeze() {
    Tensor x = random(DType.F32, 6, 10, 2, 1, 3, 5);
    for (long axis = -4; axis <= 4; axis++) check("flatten", attrs("axis", axis), 0, 0, x);
    check("squeeze", Map.of(), 0, 0, x);
    check("squeeze", attrs("axes", new long[] {-3}), 0, 0, x);
    check("squeeze", Map.of(), 0, 0, x, longs(1));
    check("unsqueeze", attrs("axes", new long[] {0, -1}), 0, 0, x);
    check("unsqueeze", Map.of(), 0, 0, x, longs(2, 4));
    check("unsqueeze", Map.of(), 0, 0, Tensor.scalar(DType.I64, 7), longs(0));
    check("squeeze", Map.of(), 0, 0, random(DType.BOOL, 7, 1, 1, 0, 1));
  }

  @Test
  void transposeWithPermAndDefault() {
    Tensor x = random(DType.F32, 8, 10, 2, 3, 1, 5);
    check("transpose", Map.of(), 0, 0, x);
    check("transpose", attrs("perm", new long[] {2, 0, 3, 1}), 0, 0, x);
    check("transpose", attrs("perm", new long[] {0, 1, 2, 3}), 0, 0, x);
    check("transpose", attrs("perm", new long[] {1, 0}), 0, 0, random(DType.U8, 9, 100, 7, 0));
    check("transpose", Map.of(), 0, 0, random(DType.I64, 10, 100, 13));
  }

  @Test
  void broadcastAndTile() {
    check("broadcast", Map.of(), 0, 0, random(DType.F32, 11, 10, 3, 1), longs(2, 1, 4));
    check("broadcast", Map.of(), 0, 0, random(DType.F32, 12, 10, 1), longs(5));
    check("broadcast", Map.of(), 0, 0, random(DType.I32, 13, 10, 2, 3), longs(1, 1, 3));
    check("broadcast", Map.of(), 0, 0, random(DType.F32, 14, 10, 2, 1), longs(2, 0));
    check("tile", Map.of(), 0, 0, random(DType.F32, 15, 10, 2, 3), longs(3, 2));
    check("tile", Map.of(), 0, 0, random(DType.I16, 16, 100, 1, 3, 2), longs(4, 1, 3));
    check("tile", Map.of(), 0, 0, random(DType.F32, 17, 10, 2, 3), longs(0, 2));
  }

  @Test
  void depthToSpaceAndBack() {
    Tensor x = random(DType.F32, 18, 10, 2, 12, 3, 5);
    check("depth_to_space", attrs("blocksize", 2L), 0, 0, x);
    check("depth_to_space", attrs("blocksize", 2L, "mode", "CRD"), 0, 0, x);
    check("depth_to_space", attrs("blocksize", 1L), 0, 0, x);
    check("space_to_depth", attrs("blocksize", 3L), 0, 0, random(DType.F32, 19, 10, 2, 2, 6, 9));
    check("space_to_depth", attrs("blocksize", 2L), 0, 0, random(DType.I32, 20, 100, 1, 3, 4, 2));
  }
}
