package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.Tensor;
import dev.weft.cli.examples.ExampleMlp;
import dev.weft.frontend.onnx.OnnxTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled example is what the generator writes, and running it gives the MLP's math. */
class ExampleMlpTest {
  @TempDir Path tmp;

  static Path repoExample() {
    return Path.of(System.getProperty("weft.root", "..")).resolve("examples/mlp");
  }

  @Test
  void committedExampleMatchesTheGeneratorByteForByte() throws IOException {
    ExampleMlp.write(tmp);
    for (String f : new String[] {"model.wir", "model.weights.bin", "inputs/input_0.pb"}) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve(f)), Files.readAllBytes(repoExample().resolve(f)),
          f + " differs: regenerate with ExampleMlp.main(\"examples/mlp\")");
    }
  }

  @Test
  void runningTheExampleMatchesAHandWrittenForwardPass() {
    Path out = tmp.resolve("out");
    CliTest.Result r = CliTest.weft("run", repoExample().resolve("model.wir").toString(), "--inputs",
        repoExample().resolve("inputs").toString(), "--outputs", out.toString());
    assertEquals(0, r.code(), r.err());
    Tensor y = OnnxTestData.readTensor(out.resolve("output_0.pb"));
    float[] expected = forward(ExampleMlp.input(), ExampleMlp.weights());
    assertArrayEquals(new long[] {ExampleMlp.BATCH, ExampleMlp.OUT}, y.shape());
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], y.getFloat(i), 1e-5f, "element " + i);
  }

  /** tanh(relu(x W1 + b1) W2 + b2) in plain loops, independent of the interpreter. */
  private static float[] forward(Tensor x, Tensor[] w) {
    int b = ExampleMlp.BATCH;
    int in = ExampleMlp.IN;
    int hid = ExampleMlp.HIDDEN;
    int out = ExampleMlp.OUT;
    float[] h = new float[b * hid];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < hid; j++) {
        double s = w[1].getFloat(j);
        for (int k = 0; k < in; k++) s += (double) x.getFloat((long) i * in + k) * w[0].getFloat((long) k * hid + j);
        h[i * hid + j] = (float) Math.max(0, s);
      }
    }
    float[] y = new float[b * out];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < out; j++) {
        double s = w[3].getFloat(j);
        for (int k = 0; k < hid; k++) s += (double) h[i * hid + k] * w[2].getFloat((long) k * out + j);
        y[i * out + j] = (float) Math.tanh(s);
      }
    }
    return y;
  }
}
