package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.weft.testsuite.SymbolicRuns.cpu;
import static dev.weft.testsuite.SymbolicRuns.digests;
import static dev.weft.testsuite.SymbolicRuns.random;
import static dev.weft.testsuite.SymbolicRuns.runAndCompare;
import static dev.weft.testsuite.SymbolicRuns.testInputs;
import static dev.weft.testsuite.SymbolicRuns.wir;

import dev.weft.api.Weft;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.program.Step;
import dev.weft.compiler.SymbolicDimException;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Dim;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.InputMismatchException;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle compiled with a batch range ({@code --shapes 'x=1..8x16'}) runs at every batch in the
 * range and matches the reference interpreter on the unspecialized model at that batch; a batch
 * outside the range is refused naming the input and axis; a range the kernels cannot follow is
 * a {@link SymbolicDimException} at compile time.
 */
class SymbolicBatchTest {
  @TempDir Path tmp;

  private static Path mlp() {
    return Path.of(System.getProperty("weft.root", ".")).resolve("examples/mlp/model.wir").toAbsolutePath().normalize();
  }

  @Test
  void mlpBundleRunsAtEveryBatchInItsRange() throws Exception {
    Path dir = tmp.resolve("mlp");
    Manifest m = Weft.compile(mlp(), cpu("x=1..8x16"), dir);
    assertEquals(List.of(DimExpr.symbol("batch"), DimExpr.of(16)), m.inputs().get(0).shape());
    assertEquals(DimExpr.symbol("batch"), m.outputs().get(0).shape().get(0));
    assertEquals(1, m.profiles().size());
    assertEquals(DimRange.of(1, 8), m.profiles().get(0).dims().get("batch"));
    Program p = ProgramJson.read("program.json", Files.readAllBytes(dir.resolve("ranks/0/program.json")));
    assertEquals("batch", p.dims().get(0).name());
    assertTrue(p.steps().stream().anyMatch(s -> s instanceof Step.Launch l && !l.extent().isStatic()), "some launch extent is symbolic");
    for (int batch : new int[] {1, 3, 8}) runAndCompare(dir, mlp(), Map.of("x", random(new long[] {batch, 16}, batch)));
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu")) {
      InputMismatchException e = assertThrows(InputMismatchException.class,
          () -> s.run(Map.of("x", random(new long[] {9, 16}, 9))));
      assertTrue(e.getMessage().contains("\"x\" axis 0") && e.getMessage().contains("1..8"), e.getMessage());
    }
  }

  @Test
  void sameFlagsGiveSameBytesAndStaticCompilesHaveNoProfile() throws Exception {
    String before = System.getProperty("weft.cache");
    System.setProperty("weft.cache", "off");
    try {
      Weft.compile(mlp(), cpu("x=1..8x16"), tmp.resolve("a"));
      Weft.compile(mlp(), cpu("x=1..8x16"), tmp.resolve("b"));
      Manifest s = Weft.compile(mlp(), cpu("x=8x16"), tmp.resolve("s"));
      assertTrue(s.profiles().isEmpty());
      assertTrue(s.inputs().get(0).shape().stream().allMatch(DimExpr::isStatic));
      assertTrue(Files.readString(tmp.resolve("s/ranks/0/program.json")).contains("\"dims\": []")
          || !Files.readString(tmp.resolve("s/ranks/0/program.json")).contains("\"batch\""));
    } finally {
      if (before == null) System.clearProperty("weft.cache");
      else System.setProperty("weft.cache", before);
    }
    assertEquals(digests(tmp.resolve("a")), digests(tmp.resolve("b")));
  }

  /** A non-leading range is taken by the kernels at run time (SymbolicSequenceTest has more). */
  @Test
  void aRangeOnANonLeadingAxisRunsAtEveryValue() throws Exception {
    Path model = wir(tmp, "transposed", """
        module {
          graph @t(%x: f32[4,n]) -> (%y) {
            %y: f32[4,n] = softmax(%x) {axis = 1}
          }
        }
        """);
    Path dir = tmp.resolve("t");
    Weft.compile(model, cpu("x=4x1..6"), dir);
    for (int n : new int[] {1, 3, 6}) runAndCompare(dir, model, Map.of("x", random(new long[] {4, n}, n)));
  }

  /** A batch range some kernel cannot run slice by slice (it reaches axis 1) is fitted instead: kernels take it at run time. */
  @Test
  void aBatchRangeReachingANonLeadingAxisRunsAtEveryBatch() throws Exception {
    Path model = wir(tmp, "transposed", """
        module {
          graph @t(%x: f32[batch,4]) -> (%y) {
            %t: f32[4,batch] = transpose(%x) {perm = [1, 0]}
            %y: f32[4,batch] = softmax(%t) {axis = 1}
          }
        }
        """);
    Path dir = tmp.resolve("t");
    Weft.compile(model, cpu("x=1..6x4"), dir);
    for (int batch : new int[] {1, 3, 6}) runAndCompare(dir, model, Map.of("x", random(new long[] {batch, 4}, batch)));
  }

  /** A reduction over the batch cannot run slice by slice; fitted, its trip count is the batch at run time. */
  @Test
  void aReductionOverTheBatchRunsAtEveryBatch() throws Exception {
    Path model = wir(tmp, "sum", """
        module {
          graph @s(%x: f32[batch,5]) -> (%y) {
            %e: f32[batch,5] = exp(%x)
            %y: f32[1,5] = reduce_sum(%e) {axes = [0], keepdims = 1}
          }
        }
        """);
    Path dir = tmp.resolve("s");
    Weft.compile(model, cpu("x=1..4x5"), dir);
    for (int batch : new int[] {1, 3, 4}) runAndCompare(dir, model, Map.of("x", random(new long[] {batch, 5}, batch)));
  }

  @Test
  void aConcatAlongTheBatchIsATypedCompileError() throws Exception {
    Path model = wir(tmp, "cat", """
        module {
          graph @c(%x: f32[batch,5]) -> (%y) {
            %c: f32[n2,5] = concat(%x, %x) {axis = 0}
            %y: f32[n2,5] = exp(%c)
          }
        }
        """);
    SymbolicDimException e = assertThrows(SymbolicDimException.class, () -> Weft.compile(model, cpu("x=1..4x5"), tmp.resolve("c")));
    assertTrue(e.getMessage().contains("dim 'batch'") && e.getMessage().contains("axis 0") && e.getMessage().contains("--shapes 'x=4x5'"),
        e.getMessage());
  }

  /** Corpus models tried in order; the first whose inputs all have a symbolic axis 0 is compiled with a batch range. */
  private static final List<String> CORPUS = List.of("gpt/gpt_opset17.onnx", "bert/bert_opset13.onnx", "mobilenet_v2/mobilenet_v2_opset17.onnx",
      "paddleocr-mobile-v2-cls/model.onnx", "convbn/convbn_opset17.onnx", "mlp/mlp_opset17.onnx");

  @Test
  void aCorpusModelWithABatchRangeMatchesTheInterpreter() throws Exception {
    Path models = Corpus.root().resolve("models");
    Assumptions.assumeTrue(Files.isDirectory(models), "no corpus at " + models);
    List<String> looked = new ArrayList<>();
    for (String rel : CORPUS) {
      Path f = models.resolve(rel);
      if (!Files.isRegularFile(f)) continue;
      OnnxModel model = OnnxModelReader.read(f);
      Module probe = OnnxImporter.importModel(model);
      List<Tensor> data = new ArrayList<>(testInputs(model, f).values());
      String symbol = null;
      boolean ok = !probe.main().inputs().isEmpty();
      StringBuilder shapes = new StringBuilder();
      for (int k = 0; k < probe.main().inputs().size() && ok; k++) {
        var v = probe.main().inputs().get(k);
        TensorType t = v.tensorType();
        ok = t.shape().isRanked() && t.rank() > 0 && t.shape().dim(0) instanceof Dim.Symbol s0 && (symbol == null || symbol.equals(s0.name()));
        if (!ok) break;
        symbol = ((Dim.Symbol) t.shape().dim(0)).name();
        long[] given = data.get(k).shape();
        if (k > 0) shapes.append(',');
        shapes.append(v.name()).append("=1..4");
        for (int d = 1; d < given.length; d++) shapes.append('x').append(given[d]);
      }
      looked.add(rel + " " + probe.main().inputs().stream().map(v -> v.name() + ":" + v.type()).toList());
      if (!ok) continue;
      System.out.println("[weft] batch range on " + rel + ": --shapes '" + shapes + "'");
      Path dir = tmp.resolve("corpus");
      Weft.compile(f, cpu(shapes.toString()), dir);
      for (int batch : new int[] {1, 2, 4}) {
        Map<String, Tensor> feed = new java.util.LinkedHashMap<>();
        for (int k = 0; k < data.size(); k++) feed.put(probe.main().inputs().get(k).name(), rows(data.get(k), batch));
        runAndCompare(dir, f, feed);
      }
      return;
    }
    Assumptions.abort("no corpus model has a symbolic leading input dim: " + looked);
  }

  /** {@code batch} rows cycled from the test data's rows (real token ids, masks and images at every batch). */
  private static Tensor rows(Tensor t, int batch) {
    long[] shape = t.shape();
    long rowBytes = t.byteSize() / shape[0];
    shape[0] = batch;
    Tensor out = Tensor.zeros(t.dtype(), shape);
    for (int b = 0; b < batch; b++) {
      long src = (b % t.shape()[0]) * rowBytes;
      out.data().asSlice(b * rowBytes, rowBytes).copyFrom(t.data().asSlice(src, rowBytes));
    }
    return out;
  }
}
