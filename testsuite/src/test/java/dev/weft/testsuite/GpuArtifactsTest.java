package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.backend.rocm.AmdhsaKernel;
import dev.weft.backend.rocm.HsacoNotes;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.llvm.ReadObj;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU kernel images of corpus models, checked without a GPU. Each model is compiled (with the
 * shapes of its test_data_set_0 inputs) for {@code cuda:sm_80}, {@code cuda:sm_90},
 * {@code rocm:gfx90a} and {@code rocm:gfx942}, and the first one for {@code cuda:sm_90a} too,
 * and written as a bundle:
 * <ul>
 *   <li>CUDA: kernels.ptx declares one {@code .entry} per kernel of the program; where ptxas is
 *       installed the backend assembled it, so kernels.cubin must exist and every kernel must have
 *       ptxas's registers/spills recorded (without ptxas the cubin part is skipped loudly);
 *   <li>ROCm: kernels.hsaco exists and {@code llvm-readobj --notes} lists every kernel of the
 *       program by {@code .name}, for the right gfx.
 * </ul>
 * Register and spill totals go to {@code [weft]} lines. The subset is the five small
 * models that compile for the CPU (CompiledModelsTest) and cover the op mix: attention
 * (gpt, bert), depthwise/pointwise convolution (mobilenet_v2), conv+batch-norm (convbn) and
 * dense layers (mlp); all ten would take several minutes on two cores. {@code -Dweft.tier=full}
 * checks every corpus ONNX model that is not in CompiledModelsTest.KNOWN_UNSUPPORTED.
 */
class GpuArtifactsTest {
  @TempDir Path tmp;

  /** The quick-tier subset (see the class comment). */
  static final List<String> SUBSET = List.of("gpt/gpt_opset17.onnx", "bert/bert_opset13.onnx",
      "mobilenet_v2/mobilenet_v2_opset17.onnx", "convbn/convbn_opset17.onnx", "mlp/mlp_opset17.onnx");

  static final List<String> CUDA_TARGETS = List.of("cuda:sm_80", "cuda:sm_90");
  static final List<String> ROCM_TARGETS = List.of("rocm:gfx90a", "rocm:gfx942");

  private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\S+?)\\(", Pattern.MULTILINE);
  private static final Pattern NOTE = Pattern.compile("registers=(\\d+) spill_stores=(\\d+) spill_loads=(\\d+)");

  @TestFactory
  Stream<DynamicTest> gpuKernelImagesAssembleAndListEveryKernel() throws IOException {
    Path models = Corpus.find("models");
    if (models == null) {
      System.out.println("[weft] SKIPPED gpu artifacts: no corpus at " + Corpus.root());
      Assumptions.abort("corpus not found at " + Corpus.root());
    }
    List<String> chosen = new ArrayList<>();
    if (Corpus.fullTier()) {
      try (Stream<Path> s = Files.walk(models, 2)) {
        s.filter(p -> p.toString().endsWith(".onnx")).map(p -> models.relativize(p).toString())
            .filter(r -> !CompiledModelsTest.KNOWN_UNSUPPORTED.containsKey(r)).sorted().forEach(chosen::add);
      }
    } else {
      for (String rel : SUBSET) {
        assertFalse(CompiledModelsTest.KNOWN_UNSUPPORTED.containsKey(rel), rel + " is known not to compile");
        if (Files.isRegularFile(models.resolve(rel))) chosen.add(rel);
        else System.out.println("[weft] SKIPPED gpu artifacts of " + rel + ": not in the corpus");
      }
    }
    if (!Ptxas.available()) {
      System.out.println("[weft] SKIPPED ptxas checks: ptxas not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin, /usr/local/bin);"
          + " only kernels.ptx entries are checked");
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (String rel : chosen) {
      List<String> targets = new ArrayList<>(CUDA_TARGETS);
      if (rel.equals(chosen.get(0))) targets.add("cuda:sm_90a");
      targets.addAll(ROCM_TARGETS);
      for (String target : targets) {
        tests.add(DynamicTest.dynamicTest(rel + " " + target, () -> check(models, rel, target)));
      }
    }
    return tests.stream();
  }

  private void check(Path models, String rel, String target) throws IOException {
    Path f = models.resolve(rel);
    Module m = importOnnx(f);
    List<String> names = m.main().inputs().stream().map(Value::name).toList();
    long t0 = System.nanoTime();
    Compiler.Compilation c = Compiler.compile(m, new CompileOptions(target, Weft.profileOf(names, testInputs(f)), null, "fp32"), null);
    Path dir = tmp.resolve(rel.replace('/', '_') + "_" + target.replace(':', '_'));
    BundleOutput.write(c, dir);
    double ms = (System.nanoTime() - t0) / 1e6;
    Path rank = dir.resolve(RankEntry.dirOf(0));
    Set<String> kernels = new TreeSet<>(c.lowered().kernels().stream().map(Kernel::name).toList());
    assertFalse(kernels.isEmpty(), rel + " lowered to no kernels");
    if (target.startsWith("cuda:")) checkCuda(rel, target, c, rank, kernels, ms);
    else checkRocm(rel, target, rank, kernels, ms);
  }

  private static void checkCuda(String rel, String target, Compiler.Compilation c, Path rank, Set<String> kernels, double ms)
      throws IOException {
    Path ptx = rank.resolve("kernels.ptx");
    assertTrue(Files.isRegularFile(ptx), "no kernels.ptx for " + rel + " " + target);
    String text = Files.readString(ptx, StandardCharsets.UTF_8);
    String sm = target.substring("cuda:".length());
    assertTrue(text.contains(".target " + sm), "kernels.ptx of " + rel + " is not for " + sm);
    Set<String> entries = new TreeSet<>();
    Matcher e = ENTRY.matcher(text);
    while (e.find()) entries.add(e.group(1));
    assertEquals(kernels, entries, "kernels.ptx entries of " + rel + " " + target);
    if (!Ptxas.available()) {
      System.out.printf("[weft] gpu %-42s %-12s %3d kernels, ptx only (ptxas absent), %.0f ms%n", rel, target, kernels.size(), ms);
      return;
    }
    Path cubin = rank.resolve("kernels.cubin");
    assertTrue(Files.isRegularFile(cubin) && Files.size(cubin) > 0, "ptxas is installed but there is no kernels.cubin for " + rel + " " + target);
    List<dev.weft.bundle.manifest.KernelStats> recorded = dev.weft.bundle.manifest.KernelStats.read("kernels.json",
        Files.readAllBytes(rank.resolve(dev.weft.bundle.manifest.KernelStats.FILE_NAME)));
    assertEquals(kernels, new TreeSet<>(recorded.stream().map(dev.weft.bundle.manifest.KernelStats::name).toList()),
        "kernels.json of " + rel + " " + target + " lists every kernel");
    Map<String, String> notes = c.built().kernelNotes();
    long registers = 0;
    long spillStores = 0;
    long spillLoads = 0;
    int maxRegisters = 0;
    int spilling = 0;
    for (String k : kernels) {
      String note = notes.get(k);
      assertTrue(note != null, "no ptxas stats recorded for kernel " + k + " of " + rel + " " + target + " (recorded: " + notes.keySet() + ")");
      Matcher n = NOTE.matcher(note);
      assertTrue(n.find(), "ptxas note of " + k + " unreadable: " + note);
      int r = Integer.parseInt(n.group(1));
      assertTrue(r > 0 && r <= 255, "kernel " + k + " uses " + r + " registers");
      registers += r;
      maxRegisters = Math.max(maxRegisters, r);
      int st = Integer.parseInt(n.group(2));
      int ld = Integer.parseInt(n.group(3));
      spillStores += st;
      spillLoads += ld;
      if (st + ld > 0) spilling++;
    }
    System.out.printf("[weft] gpu %-42s %-12s %3d kernels, registers total %d max %d, spill stores %d B loads %d B (%d kernels spill),"
        + " cubin %d B, %.0f ms%n", rel, target, kernels.size(), registers, maxRegisters, spillStores, spillLoads, spilling,
        Files.size(cubin), ms);
  }

  private static void checkRocm(String rel, String target, Path rank, Set<String> kernels, double ms) throws IOException {
    Path hsaco = rank.resolve("kernels.hsaco");
    assertTrue(Files.isRegularFile(hsaco) && Files.size(hsaco) > 0, "no kernels.hsaco for " + rel + " " + target);
    HsacoNotes notes = HsacoNotes.parse(ReadObj.notes(hsaco));
    String gfx = target.substring("rocm:".length());
    assertTrue(notes.target().endsWith(gfx), "code object of " + rel + " is for " + notes.target() + ", not " + gfx);
    Set<String> listed = new TreeSet<>();
    long vgpr = 0;
    long sgpr = 0;
    long spills = 0;
    for (AmdhsaKernel k : notes.kernels()) {
      listed.add(k.name());
      vgpr += k.vgprCount();
      sgpr += k.sgprCount();
      spills += k.vgprSpillCount() + k.sgprSpillCount();
    }
    assertEquals(kernels, listed, "kernels named in the code object notes of " + rel + " " + target);
    System.out.printf("[weft] gpu %-42s %-12s %3d kernels, vgpr total %d, sgpr total %d, spills %d, hsaco %d B, %.0f ms%n",
        rel, target, kernels.size(), vgpr, sgpr, spills, Files.size(hsaco), ms);
  }

  /** The test inputs of {@code test_data_set_0} beside the model, in graph-input order (initializers left out). */
  static List<Tensor> testInputs(Path model) {
    OnnxModel om = OnnxModelReader.read(model);
    Set<String> inits = new HashSet<>();
    for (TensorProto t : om.proto().getGraph().getInitializerList()) inits.add(t.getName());
    Path set = model.resolveSibling("test_data_set_0");
    List<Tensor> inputs = new ArrayList<>();
    int k = 0;
    for (ValueInfoProto vi : om.proto().getGraph().getInputList()) {
      if (inits.contains(vi.getName())) continue;
      inputs.add((Tensor) OnnxTestData.read(set.resolve("input_" + k++ + ".pb"), vi.getType()));
    }
    return inputs;
  }

  private static Module importOnnx(Path model) {
    return OnnxImporter.importModel(OnnxModelReader.read(model));
  }
}
