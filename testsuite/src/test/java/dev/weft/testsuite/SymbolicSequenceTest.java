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
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.program.Step;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.ShapeProfile;
import dev.weft.compiler.SymbolicDimException;
import dev.weft.ir.Module;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.InputMismatchException;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A range on a non-leading dim ({@code --shapes 'x=1x1..7x8'}: a sequence length) is taken by
 * the kernels at run time: one bundle runs at every length in the range and matches the
 * reference interpreter run at that exact length, including the attention over keys, the
 * softmax, the layer norm and the mean over the sequence. What cannot be followed is a typed
 * compile error.
 */
class SymbolicSequenceTest {
  @TempDir Path tmp;

  /** One attention layer with a residual, a layer norm and a mean over the sequence; weights seeded. */
  private Path attention() throws Exception {
    Random r = new Random(7);
    String model = """
        module {
          graph @attn(%x: f32[1,s,8]) -> (%pooled, %n) {
            %wq: f32[8,8] = constant() {value = WQ}
            %wk: f32[8,8] = constant() {value = WK}
            %wv: f32[8,8] = constant() {value = WV}
            %g: f32[8] = constant() {value = G}
            %b: f32[8] = constant() {value = B}
            %q: f32[1,s,8] = matmul(%x, %wq)
            %k: f32[1,s,8] = matmul(%x, %wk)
            %v: f32[1,s,8] = matmul(%x, %wv)
            %kt: f32[1,8,s] = transpose(%k) {perm = [0, 2, 1]}
            %sc: f32[1,s,s] = matmul(%q, %kt)
            %p: f32[1,s,s] = softmax(%sc) {axis = 2}
            %o: f32[1,s,8] = matmul(%p, %v)
            %res: f32[1,s,8] = add(%o, %x)
            %n: f32[1,s,8], %mu: f32[1,s,1], %is: f32[1,s,1] = layer_norm(%res, %g, %b) {axis = 2}
            %pooled: f32[1,1,8] = reduce_mean(%n) {axes = [1], keepdims = 1}
          }
        }
        """.replace("WQ", dense(r, 8, 8)).replace("WK", dense(r, 8, 8)).replace("WV", dense(r, 8, 8))
        .replace("G", dense(r, 8)).replace("B", dense(r, 8));
    return wir(tmp, "attn", model);
  }

  @Test
  void attentionBundleRunsAtEveryLengthAndMatchesTheInterpreter() throws Exception {
    Path model = attention();
    Path dir = tmp.resolve("attn");
    Manifest m = Weft.compile(model, cpu("x=1x1..7x8"), dir);
    assertEquals(List.of(DimExpr.of(1), DimExpr.symbol("s"), DimExpr.of(8)), m.inputs().get(0).shape());
    Program p = ProgramJson.read("program.json", Files.readAllBytes(dir.resolve("ranks/0/program.json")));
    assertEquals("s", p.dims().get(0).name());
    assertEquals(1, p.dims().get(0).axis());
    assertTrue(p.steps().stream().anyMatch(st -> st instanceof Step.Launch l && l.dims().equals(List.of("s"))), "some kernel takes s");
    for (int s : new int[] {1, 2, 5, 7}) runAndCompare(dir, model, Map.of("x", random(new long[] {1, s, 8}, s)));
    try (Bundle b = Bundle.load(dir); Session session = b.session("cpu")) {
      InputMismatchException e = assertThrows(InputMismatchException.class, () -> session.run(Map.of("x", random(new long[] {1, 8, 8}, 1))));
      assertTrue(e.getMessage().contains("\"x\" axis 1"), e.getMessage());
    }
  }

  @Test
  void sameFlagsGiveSameBytes() throws Exception {
    Path model = attention();
    SymbolicRuns.compileTwiceWithoutCache(model, "x=1x1..7x8", tmp.resolve("a"), tmp.resolve("b"));
    assertEquals(digests(tmp.resolve("a")), digests(tmp.resolve("b")));
  }

  /** An arange over the dim, folded into a weight at MAX, is prefix-consistent: kernels read its first n entries. */
  @Test
  void aPrefixConsistentConstantOfTheDimIsReadAtEveryValue() throws Exception {
    Path model = wir(tmp, "arange", """
        module {
          graph @a(%x: f32[1,s]) -> (%y) {
            %n1: i64[1] = shape_of(%x) {start = 1, end = 2}
            %e: i64[0] = constant() {value = dense<i64[0]> []}
            %n: i64[] = reshape(%n1, %e)
            %z: i64[] = constant() {value = dense<i64[]> [0]}
            %o: i64[] = constant() {value = dense<i64[]> [1]}
            %r: i64[s] = iota(%z, %n, %o)
            %rf: f32[s] = cast(%r) {to = dtype<f32>}
            %y: f32[1,s] = add(%x, %rf)
          }
        }
        """);
    Path dir = tmp.resolve("arange");
    Weft.compile(model, cpu("x=1x1..6"), dir);
    for (int n : new int[] {1, 4, 6}) runAndCompare(dir, model, Map.of("x", random(new long[] {1, n}, n)));
  }

  /**
   * A causal mask folded from the dim carries it on two axes; stored at MAX and read with MAX
   * strides, a kernel run at n reads its n x n corner, which is the mask at n.
   */
  @Test
  void aCausalMaskConstantOfTheDimIsReadAtEveryValue() throws Exception {
    Path model = wir(tmp, "mask", """
        module {
          graph @m(%x: f32[1,s,s]) -> (%y) {
            %sh: i64[3] = shape_of(%x)
            %ones: f32[1,s,s] = fill(%sh) {value = dense<f32[1]> [1.0]}
            %k: i64[] = constant() {value = dense<i64[]> [0]}
            %tri: f32[1,s,s] = trilu(%ones, %k) {upper = 0}
            %y: f32[1,s,s] = mul(%x, %tri)
          }
        }
        """);
    Path dir = tmp.resolve("mask");
    Weft.compile(model, cpu("x=1x1..6x1..6"), dir);
    for (int n : new int[] {1, 3, 6}) runAndCompare(dir, model, Map.of("x", random(new long[] {1, n, n}, n)));
  }

  /** A constant of the dim whose entries shift with it (n, n-1, ..., 1) is not prefix-consistent: refused. */
  @Test
  void aConstantThatIsNotPrefixConsistentIsATypedCompileError() throws Exception {
    Path model = wir(tmp, "countdown", """
        module {
          graph @c(%x: f32[1,s]) -> (%y) {
            %n1: i64[1] = shape_of(%x) {start = 1, end = 2}
            %e: i64[0] = constant() {value = dense<i64[0]> []}
            %n: i64[] = reshape(%n1, %e)
            %z: i64[] = constant() {value = dense<i64[]> [0]}
            %o: i64[] = constant() {value = dense<i64[]> [-1]}
            %r: i64[s] = iota(%n, %z, %o)
            %rf: f32[s] = cast(%r) {to = dtype<f32>}
            %y: f32[1,s] = add(%x, %rf)
          }
        }
        """);
    SymbolicDimException e = assertThrows(SymbolicDimException.class, () -> Weft.compile(model, cpu("x=1x1..6"), tmp.resolve("c")));
    assertTrue(e.getMessage().contains("dim 's'") && e.getMessage().contains("prefix-consistent") && e.getMessage().contains("--shapes 'x=1x6'"),
        e.getMessage());
  }

  @Test
  void aConcatAlongTheRangeAxisIsATypedCompileError() throws Exception {
    Path model = wir(tmp, "cat", """
        module {
          graph @c(%x: f32[1,s,4]) -> (%y) {
            %c: f32[1,2s,4] = concat(%x, %x) {axis = 1}
            %y: f32[1,2s,4] = exp(%c)
          }
        }
        """.replace("2s", "n2"));
    SymbolicDimException e = assertThrows(SymbolicDimException.class, () -> Weft.compile(model, cpu("x=1x1..6x4"), tmp.resolve("c")));
    assertTrue(e.getMessage().contains("dim 's'") && e.getMessage().contains("axis 1") && e.getMessage().contains("--shapes 'x=1x6x4'"),
        e.getMessage());
  }

  @Test
  void aReshapeMergingTheRangeAxisIsATypedCompileError() throws Exception {
    Path model = wir(tmp, "merge", """
        module {
          graph @m(%x: f32[1,s,4]) -> (%y) {
            %shape: i64[2] = constant() {value = dense<i64[2]> [1, -1]}
            %f: f32[1,m] = reshape(%x, %shape)
            %y: f32[1,m] = softmax(%f) {axis = 1}
          }
        }
        """);
    SymbolicDimException e = assertThrows(SymbolicDimException.class, () -> Weft.compile(model, cpu("x=1x1..6x4"), tmp.resolve("m")));
    assertTrue(e.getMessage().contains("dim 's'") && e.getMessage().contains("--shapes 'x=1x6x4'"), e.getMessage());
  }

  /**
   * On cuda a kernel taking the dim has one i64 parameter per dim between its buffers and the
   * extent (docs/KERNELS.md); kernels without dims keep buffers + extent. Checked on kernels.ptx
   * (LLVM's output; no GPU or ptxas needed).
   */
  @Test
  void cudaKernelsTakeTheDimAsAValueParameter() throws Exception {
    Path model = attention();
    Path dir = tmp.resolve("attn-cuda");
    Weft.compile(model, new CompileOptions("cuda:sm_90", ShapeProfile.parse("x=1x1..7x8"), null, "fp32"), dir);
    Program p = ProgramJson.read("program.json", Files.readAllBytes(dir.resolve("ranks/0/program.json")));
    String ptx = Files.readString(dir.resolve("ranks/0/kernels.ptx"));
    int withDims = 0;
    for (Step st : p.steps()) {
      if (!(st instanceof Step.Launch l)) continue;
      int at = ptx.indexOf(".entry " + l.kernel() + "(");
      assertTrue(at >= 0, "no .entry for " + l.kernel());
      String params = ptx.substring(at, ptx.indexOf(')', at));
      int count = params.split("\\.param", -1).length - 1;
      assertEquals(l.args().size() + l.dims().size() + 1, count, l.kernel() + " " + l.args() + " dims " + l.dims());
      if (!l.dims().isEmpty()) withDims++;
    }
    assertTrue(withDims > 0, "some cuda kernel takes the dim");
  }

  /**
   * A corpus encoder with a sequence range runs at several lengths against the interpreter: the
   * test data's first row, cut to each length (real token ids, mask and type ids).
   */
  @Test
  void aCorpusEncoderWithASequenceRangeMatchesTheInterpreter() throws Exception {
    Path f = Corpus.root().resolve("models/minilm-l6-v2-q/model.onnx");
    Assumptions.assumeTrue(Files.isRegularFile(f), "no minilm encoder in the corpus at " + f + ": sequence-range corpus check skipped");
    OnnxModel model = OnnxModelReader.read(f);
    Module probe = OnnxImporter.importModel(model);
    Map<String, Tensor> data = testInputs(model, f);
    long max = Math.min(16, data.values().iterator().next().shape()[1]);
    List<String> shapes = new ArrayList<>();
    for (var v : probe.main().inputs()) shapes.add(v.name() + "=1x1.." + max);
    Path dir = tmp.resolve("minilm");
    Weft.compile(f, cpu(String.join(",", shapes)), dir);
    for (long len : new long[] {1, 5, max}) {
      Map<String, Tensor> feed = new java.util.LinkedHashMap<>();
      data.forEach((name, t) -> feed.put(name, prefix(t, len)));
      runAndCompare(dir, f, feed);
    }
  }

  /** Row 0 of a [batch, seq] tensor, its first {@code len} entries, as [1, len]. */
  private static Tensor prefix(Tensor t, long len) {
    long elem = t.dtype().byteSize();
    Tensor out = Tensor.zeros(t.dtype(), new long[] {1, len});
    out.data().copyFrom(t.data().asSlice(0, len * elem));
    return out;
  }

  private static String dense(Random r, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    List<String> v = new ArrayList<>();
    for (long i = 0; i < n; i++) v.add(Float.toString((float) (r.nextGaussian() * 0.5)));
    List<String> dims = new ArrayList<>();
    for (long d : shape) dims.add(Long.toString(d));
    return "dense<f32[" + String.join(",", dims) + "]> [" + String.join(", ", v) + "]";
  }
}
