package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/tiny-gpt (a one-block transformer with random weights, the model the launcher trains
 * its AOT cache on) compiles for the CPU and its compiled run equals the reference interpreter.
 */
class TinyGptExampleTest {
  @TempDir Path tmp;

  @Test
  void compiledRunMatchesTheReferenceInterpreter() throws IOException {
    Path model = Path.of(System.getProperty("weft.root", "..")).resolve("examples/tiny-gpt/model.wir");
    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofLongs(new long[] {1, 8}, 3, 31, 0, 7, 7, 12, 29, 1), "input_ids");
    CliTest.Result ref = CliTest.weft("run", model.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("ref").toString());
    assertEquals(0, ref.code(), ref.err());
    CliTest.Result compiled = CliTest.weft("run", model.toString(), "--engine", "compiled", "--inputs", in.toString(), "--outputs",
        tmp.resolve("compiled").toString());
    assertEquals(0, compiled.code(), compiled.err());
    Tensor want = OnnxTestData.readTensor(tmp.resolve("ref/output_0.pb"));
    Tensor got = OnnxTestData.readTensor(tmp.resolve("compiled/output_0.pb"));
    assertArrayEquals(new long[] {1, 8, 32}, got.shape());
    double maxAbs = 0;
    for (long i = 0; i < Tensor.elementCount(want.shape()); i++) {
      double w = want.getFloat(i);
      double d = Math.abs(w - got.getFloat(i));
      maxAbs = Math.max(maxAbs, Math.abs(w));
      assertTrue(d <= 1e-5 + 1e-4 * Math.abs(w), "logit " + i + ": compiled " + got.getFloat(i) + " vs reference " + w);
    }
    assertTrue(maxAbs > 0.1, "logits should not be trivially small: " + maxAbs);
  }
}
