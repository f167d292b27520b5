package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.program.Step;
import dev.weft.cli.ModelLoader;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.ShapeProfile;
import dev.weft.compiler.SymbolicDimException;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Dim;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.interp.Interpreter;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.InputMismatchException;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
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

  private static CompileOptions cpu(String shapes) { return new CompileOptions("cpu", ShapeProfile.parse(shapes), null, "fp32"); }

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
    for (int batch : new int[] {1, 3, 8}) runAndCompare(dir, mlp(), Map.of("x", random(DType.F32, new long[] {batch, 16}, batch)));
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu")) {
      InputMismatchException e = assertThrows(InputMismatchException.class,
          () -> s.run(Map.of("x", random(DType.F32, new long[] {9, 16}, 9))));
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
    Path model = wir("transposed", """
        module {
          graph @t(%x: f32[4,n]) -> (%y) {
            %y: f32[4,n] = softmax(%x) {axis = 1}
          }
        }
        """);
    Path dir = tmp.resolve("t");
    Weft.compile(model, cpu("x=4x1..6"), dir);
    for (int n : new int[] {1, 3, 6}) runAndCompare(dir, model, Map.of("x", random(DType.F32, new long[] {4, n}, n)));
  }

  /** A batch range some kernel cannot run slice by slice (it reaches axis 1) is fitted instead: kernels take it at run time. */
  @Test
  void aBatchRangeReachingANonLeadingAxisRunsAtEveryBatch() throws Exception {
    Path model = wir("transposed", """
        module {
          graph @t(%x: f32[batch,4]) -> (%y) {
            %t: f32[4,batch] = transpose(%x) {perm = [1, 0]}
            %y: f32[4,batch] = softmax(%t) {axis = 1}
          }
        }
        """);
    Path dir = tmp.resolve("t");
    Weft.compile(model, cpu("x=1..6x4"), dir);
    for (int batch : new int[] {1, 3, 6}) runAndCompare(dir, model, Map.of("x", random(DType.F32, new long[] {batch, 4}, batch)));
  }

  /** A reduction over the batch cannot run slice by slice; fitted, its trip count is the batch at run time. */
  @Test
  void aReductionOverTheBatchRunsAtEveryBatch() throws Exception {
    Path model = wir("sum", """
        module {
          graph @s(%x: f32[batch,5]) -> (%y) {
            %e: f32[batch,5] = exp(%x)
            %y: f32[1,5] = reduce_sum(%e) {axes = [0], keepdims = 1}
          }
        }
        """);
    Path dir = tmp.resolve("s");
    Weft.compile(model, cpu("x=1..4x5"), dir);
    for (int batch : new int[] {1, 3, 4}) runAndCompare(dir, model, Map.of("x", random(DType.F32, new long[] {batch, 5}, batch)));
  }

  @Test
  void aConcatAlongTheBatchIsATypedCompileError() throws Exception {
    Path model = wir("cat", """
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
      List<Tensor> data = testData(model, f);
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

  private static List<Tensor> testData(OnnxModel model, Path f) throws Exception {
    java.util.Set<String> inits = new java.util.HashSet<>();
    for (var t : model.proto().getGraph().getInitializerList()) inits.add(t.getName());
    List<Tensor> out = new ArrayList<>();
    int k = 0;
    for (var vi : model.proto().getGraph().getInputList()) {
      if (inits.contains(vi.getName())) continue;
      out.add((Tensor) OnnxTestData.read(f.resolveSibling("test_data_set_0").resolve("input_" + k++ + ".pb"), vi.getType()));
    }
    return out;
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

  /** Runs the bundle and the interpreter (on the model as imported, dims unbound) on the same inputs. */
  private static void runAndCompare(Path dir, Path model, Map<String, Tensor> feed) {
    Module reference = ModelLoader.load(model);
    List<Object> args = new ArrayList<>();
    for (var v : reference.main().inputs()) args.add(feed.get(v.name()));
    List<Object> want = new Interpreter().run(reference.main(), args);
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu")) {
      Map<String, Tensor> got = s.run(feed);
      Manifest m = b.manifest();
      for (int i = 0; i < m.outputs().size(); i++) {
        Tensor actual = got.get(m.outputs().get(i).name());
        assertNull(OnnxBackendRunner.compare(want.get(i), actual, 1e-4, 1e-5), "output " + i + " at " + shapes(feed));
      }
    }
  }

  private static String shapes(Map<String, Tensor> feed) {
    Map<String, String> out = new TreeMap<>();
    feed.forEach((k, t) -> out.put(k, java.util.Arrays.toString(t.shape())));
    return out.toString();
  }

  private static Tensor random(DType dtype, long[] shape, long seed) {
    Tensor t = Tensor.zeros(dtype, shape);
    Random r = new Random(seed);
    long n = t.byteSize() / 4;
    for (long i = 0; i < n; i++) t.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) r.nextGaussian());
    return t;
  }

  private Path wir(String name, String text) throws Exception {
    Path p = tmp.resolve(name + ".wir");
    Files.writeString(p, text);
    return p;
  }

  private static Map<String, String> digests(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }
}
