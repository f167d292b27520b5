package dev.weft.bundle.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The library matmul step: column-major host semantics (hand-computed), attrs through program.json, validation. */
class LibraryMatmulTest {
  @Test
  void hostRunIsColumnMajorWithTransposesAndBatchStrides() {
    // A col-major 2x3 [[1,2,3],[4,5,6]] stored as 1,4,2,5,3,6; B col-major 3x1 [1,0,-1]: D = [-2, -2].
    Tensor a = Tensor.ofFloats(new long[] {6}, 1, 4, 2, 5, 3, 6);
    Tensor b = Tensor.ofFloats(new long[] {6}, 1, 0, -1, 2, 2, 2);
    Tensor d = Tensor.zeros(DType.F32, 4);
    // batch 2: B's second batch is [2,2,2] (stride 3), A shared (stride 0): D1 = [12, 30].
    new LibraryMatmul(2, 1, 3, 2, false, false, 2, 3, 2, 0, 3, 2, DType.F32, "none").hostRun(a.data(), b.data(), d.data());
    assertArrayEquals(new float[] {-2, -2, 12, 30}, d.toFloatArray());
    // trans_a: the same 6 numbers read as a 3x2 (ld 3) transposed: op(A) = [[1,4,2],[5,3,6]]; x [1,0,-1] = [-1, -1].
    Tensor d2 = Tensor.zeros(DType.F32, 2);
    new LibraryMatmul(2, 1, 3, 1, true, false, 3, 3, 2, 0, 0, 2, DType.F32, "none").hostRun(a.data(), b.data(), d2.data());
    assertArrayEquals(new float[] {-1, -1}, d2.toFloatArray());
  }

  @Test
  void attrsRoundTripThroughProgramJson() {
    LibraryMatmul mm = new LibraryMatmul(5, 3, 4, 2, true, false, 4, 4, 5, 20, 12, 15, DType.BF16, "none");
    Program p = Program.builder().arenaBytes(0)
        .buffer(Buffer.input("x", DType.BF16, Buffer.dims(2, 3, 4), 48))
        .buffer(Buffer.input("w", DType.BF16, Buffer.dims(2, 5, 4), 80))
        .buffer(Buffer.output("y", DType.BF16, Buffer.dims(2, 3, 5), 60))
        .step(mm.step("w", "x", "y")).build();
    Program back = ProgramJson.read("program.json", ProgramJson.writeBytes(p));
    assertEquals(mm, LibraryMatmul.of((Step.Library) back.steps().get(0)));
    assertTrue(ProgramJson.write(p).contains("\"compute_type\": \"float32\""), ProgramJson.write(p));
  }

  @Test
  void badAttrsNameTheField() {
    Map<String, Object> attrs = new TreeMap<>(new LibraryMatmul(2, 2, 2, 1, false, false, 2, 2, 2, 0, 0, 4, DType.F32, "none").attrs());
    attrs.put("lda", 1L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LibraryMatmul.of(new Step.Library("cublaslt", "matmul", List.of("a", "b", "d"), List.of(), attrs)));
    assertTrue(e.getMessage().contains("lda"), e.getMessage());
    attrs.put("lda", 2L);
    attrs.put("trans_a", 2L);
    e = assertThrows(IllegalArgumentException.class,
        () -> LibraryMatmul.of(new Step.Library("cublaslt", "matmul", List.of("a", "b", "d"), List.of(), attrs)));
    assertTrue(e.getMessage().contains("attrs.trans_a"), e.getMessage());
    attrs.put("trans_a", 0L);
    attrs.put("dtype", "int8");
    e = assertThrows(IllegalArgumentException.class,
        () -> LibraryMatmul.of(new Step.Library("cublaslt", "matmul", List.of("a", "b", "d"), List.of(), attrs)));
    assertTrue(e.getMessage().contains("int8"), e.getMessage());
    assertThrows(JsonException.class, () -> ProgramJson.read("p.json", "{\"arena_bytes\": 0, \"buffers\": [], \"dims\": [], \"steps\": [{\"op\": \"library\", \"bogus\": 1}]}"
        .getBytes(StandardCharsets.UTF_8)));
  }
}
