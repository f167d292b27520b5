package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxTestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code weft run} and {@code weft inspect --ops} on TorchScript archives: corpus models and a hand-built one. */
class TorchScriptCliTest {
  @TempDir Path tmp;

  /** The shared corpus: system property weft.corpus, else weft.root + "/../shared/corpus". */
  static Path corpus() {
    String c = System.getProperty("weft.corpus");
    if (c != null && !c.isBlank()) return Path.of(c);
    return Path.of(System.getProperty("weft.root", "."), "..", "shared", "corpus");
  }

  private static Path corpusModel(String model, String file) {
    Path p = corpus().resolve("models").resolve(model).resolve(file);
    if (!Files.isRegularFile(p)) {
      System.out.println("[weft] SKIPPED TorchScriptCliTest on " + file + ": no corpus at " + p + " (set -Dweft.corpus=PATH)");
      Assumptions.abort("corpus absent: " + p);
    }
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp/mlp_scripted.pt", "mlp/mlp_traced.pt", "mlp/mlp_frozen.pt", "gpt/gpt_scripted.pt", "gpt/gpt_traced.pt"})
  void runReproducesTheCorpusOutputs(String path) throws IOException {
    String model = path.substring(0, path.indexOf('/'));
    Path pt = corpusModel(model, path.substring(path.indexOf('/') + 1));
    Path data = pt.resolveSibling("test_data_set_0");
    Path out = tmp.resolve("out");
    CliTest.Result r = CliTest.weft("run", pt.toString(), "--inputs", data.toString(), "--outputs", out.toString());
    assertEquals(0, r.code(), r.err());
    Tensor want = OnnxTestData.readTensor(data.resolve("output_0.pb"));
    Tensor got = OnnxTestData.readTensor(out.resolve("output_0.pb"));
    assertArrayEquals(want.shape(), got.shape());
    for (long i = 0; i < want.size(); i++) {
      double w = want.getDouble(i);
      double g = got.getDouble(i);
      assertTrue(Math.abs(w - g) <= 1e-5 + 1e-4 * Math.abs(w), path + " element " + i + ": " + g + " vs " + w);
    }
    assertFalse(Files.exists(out.resolve("output_1.pb")));
  }

  @Test
  void inspectOpsListsOpsWithSourceRanges() {
    Path pt = corpusModel("gpt", "gpt_scripted.pt");
    CliTest.Result r = CliTest.weft("inspect", pt.toString(), "--ops");
    assertEquals(0, r.code(), r.err());
    for (String op : new String[] {"linear", "layer_norm", "softmax", "embedding", "matmul"}) {
      assertTrue(r.out().matches("(?s).*supported\\s+" + op + "\\s.*"), op + " missing:\n" + r.out());
    }
    assertTrue(r.out().contains("all ops supported"), r.out());
    CliTest.Result json = CliTest.weft("inspect", pt.toString(), "--ops", "--json");
    assertEquals(0, json.code(), json.err());
    // every use carries its source range: code/<file>.py:line:col
    assertTrue(json.out().matches("(?s).*\"op_type\": \"layer_norm\",[^}]*\"nodes\": \\[\\s*\"code/__torch__/[^\"]+\\.py:\\d+:\\d+\".*"), json.out());
  }

  private static final String UNSUPPORTED_SOURCE = """
      class M(Module):
        __parameters__ = []
        training : bool
        def forward(self: __torch__.M,
          x: Tensor) -> Tensor:
          y = torch.relu(x)
          return torch.frobnicate(y, 2)
      """;

  /** data.pkl: an object of class __torch__.M with training=False (NEWOBJ + BUILD, protocol 2). */
  private static byte[] modulePickle() {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(new byte[] {(byte) 0x80, 2});
    p.writeBytes("c__torch__\nM\n".getBytes(StandardCharsets.US_ASCII));
    p.writeBytes(new byte[] {')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
    p.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    p.writeBytes(new byte[] {(byte) 0x89, 'u', 'b', '.'});
    return p.toByteArray();
  }

  private Path archive(String source) throws IOException {
    Path pt = tmp.resolve("m.pt");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(pt))) {
      String[][] entries = {{"m/version", "3\n"}, {"m/code/__torch__.py", source}};
      for (String[] e : entries) {
        z.putNextEntry(new ZipEntry(e[0]));
        z.write(e[1].getBytes(StandardCharsets.UTF_8));
      }
      z.putNextEntry(new ZipEntry("m/data.pkl"));
      z.write(modulePickle());
      z.putNextEntry(new ZipEntry("m/constants.pkl"));
      z.write(new byte[] {(byte) 0x80, 2, ')', '.'});
    }
    return pt;
  }

  @Test
  void anOpOutsideTheTableIsReportedUpFrontWithItsSourceRange() throws IOException {
    Path pt = archive(UNSUPPORTED_SOURCE);
    CliTest.Result r = CliTest.weft("inspect", pt.toString(), "--ops");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().matches("(?s).*UNSUPPORTED\\s+frobnicate\\s.*"), r.out());
    assertTrue(r.out().contains("nodes: code/__torch__.py:7:"), r.out());
    assertTrue(r.out().matches("(?s).*supported\\s+relu\\s.*"), r.out());
    assertTrue(r.out().contains("1 op kind(s) unsupported"), r.out());

    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {2}, 1, -1), "x");
    CliTest.Result run = CliTest.weft("run", pt.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("o").toString());
    assertEquals(1, run.code(), run.out() + run.err());
    assertTrue(run.err().contains("code/__torch__.py:7:") && run.err().contains("aten::frobnicate"), run.err());
  }

  @Test
  void aHandBuiltArchiveRuns() throws IOException {
    Path pt = archive(UNSUPPORTED_SOURCE.replace("torch.frobnicate(y, 2)", "torch.mul(torch.silu(y), 2)"));
    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {2}, 1, -1), "x");
    Path out = tmp.resolve("o");
    CliTest.Result run = CliTest.weft("run", pt.toString(), "--inputs", in.toString(), "--outputs", out.toString());
    assertEquals(0, run.code(), run.out() + run.err());
    Tensor y = OnnxTestData.readTensor(out.resolve("output_0.pb"));
    assertEquals(2 * 0.7310585786300049, y.getDouble(0), 1e-6);     // 2 * silu(relu(1)); relu(-1) = 0
    assertEquals(0, y.getDouble(1), 0);
  }
}
