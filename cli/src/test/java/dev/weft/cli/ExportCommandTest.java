package dev.weft.cli;

import static dev.weft.cli.CliTest.weft;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft export} end to end: the written model reads back, runs, and keeps its weights where it says. */
class ExportCommandTest {
  @TempDir Path tmp;

  private static final String MLP = """
      module {
        graph @main(%x: f32[batch,300]) -> (%y) {
          %w = constant() {value = dense<f32[300,2]> [HALVES]}
          %h = matmul(%x, %w)
          %y = relu(%h)
        }
      }
      """.replace("HALVES", String.join(", ", java.util.Collections.nCopies(600, "0.5")));

  private Path model() throws IOException {
    Path p = tmp.resolve("m.wir");
    Files.writeString(p, MLP);
    return p;
  }

  @Test
  void exportedModelReadsBackAndRuns() throws IOException {
    Path out = tmp.resolve("out/m.onnx");
    CliTest.Result r = weft("export", model().toString(), "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("wrote " + out), r.out());
    ModelProto m = OnnxModelReader.read(out).proto();
    assertEquals("weft", m.getProducerName());
    assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());

    Path in = Files.createDirectories(tmp.resolve("in"));
    float[] x = new float[300];
    java.util.Arrays.fill(x, 1f);
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {1, 300}, x), "x");
    CliTest.Result run = weft("run", out.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("o").toString(), "--quiet");
    assertEquals(0, run.code(), run.err());
    Tensor y = OnnxTestData.readTensor(tmp.resolve("o/output_0.pb"));
    assertArrayEquals(new float[] {150f, 150f}, new float[] {y.getFloat(0), y.getFloat(1)});
  }

  @Test
  void externalDataGoesBesideTheModel() throws IOException {
    Path out = tmp.resolve("ext/m.onnx");
    CliTest.Result r = weft("export", model().toString(), "-o", out.toString(), "--external-data");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(tmp.resolve("ext/m.onnx.data")));
    TensorProto w = OnnxModelReader.read(out).proto().getGraph().getInitializer(0);
    assertEquals(TensorProto.DataLocation.EXTERNAL, w.getDataLocation());
    assertEquals("m.onnx.data", w.getExternalData(0).getValue());
    assertEquals(300 * 2 * 4, Files.size(tmp.resolve("ext/m.onnx.data")));
  }

  @Test
  void badUseIsAUserError() throws IOException {
    assertEquals(1, weft("export", model().toString()).code());                 // no -o
    assertEquals(1, weft("export", tmp.resolve("nope.onnx").toString(), "-o", tmp.resolve("x.onnx").toString()).code());
    CliTest.Result dir = weft("export", model().toString(), "-o", tmp.toString());
    assertEquals(1, dir.code());
    assertTrue(dir.err().contains("is a folder"), dir.err());
    assertTrue(weft("export", "--help").out().contains("Examples:"));
  }
}
