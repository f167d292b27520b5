package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Step;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeBinding;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fusion inside {@code if} branches: the compiled branches of oww-hey-jarvis and silero-vad-v5
 * (its sr if kept, as {@code weft compile} without specialization leaves it) launch kernels of
 * fused groups, not one per node, and still match the interpreter and the oracle. The bounds are
 * the fusable chains of each branch as the graph pipeline leaves it (listed at each test), so a
 * branch that goes back to a group per node fails.
 */
class BranchFusionTest {
  @TempDir Path tmp;

  /**
   * If_32's then branch is the verifier MLP: (matmul, add, layer_norm, relu) twice, then
   * (matmul, add, sigmoid). Fusable chains: each matmul with its bias add (and the last one's
   * sigmoid) is one matmul-epilogue group (3), each layer_norm with its relu one reduction group
   * (2): at most 5 groups, against 11 nodes (a group each) without fusion in branches.
   */
  @Test
  void owwVerifierBranchRunsFusedGroups() {
    Path models = Corpus.find("models");
    Path f = models == null ? null : models.resolve("oww-hey-jarvis/model.onnx");
    Assumptions.assumeTrue(f != null && Files.isRegularFile(f), "SKIPPED: no oww-hey-jarvis in the corpus at " + Corpus.root());
    OnnxModel model = OnnxModelReader.read(f);
    Tensor x = (Tensor) OnnxTestData.read(f.resolveSibling("test_data_set_0/input_0.pb"), model.proto().getGraph().getInput(0).getType());
    List<Object> want = new Interpreter().run(CompiledBranchTest.alwaysVerify(OnnxImporter.importModel(model)).main(), List.of(x));
    Module m = CompiledBranchTest.alwaysVerify(OnnxImporter.importModel(model));
    List<String> names = m.main().inputs().stream().map(Value::name).toList();
    Compiler.Compilation c = Compiler.compile(m, new CompileOptions("cpu", Weft.profileOf(names, List.of(x)), null, "fp32"), null);
    Step.If branch = onlyIf(c.lowered().steps());
    Set<String> groups = groups(branch.then());
    System.out.println("[weft] oww-hey-jarvis If_32 then branch: " + launches(branch.then()) + " kernels in " + groups.size()
        + " groups " + groups + "; whole model " + c.lowered().kernels().size() + " kernels");
    assertTrue(groups.size() <= 5, "then branch groups " + groups);
    var manifest = BundleOutput.write(c, tmp.resolve("oww"));
    try (Bundle b = Bundle.load(tmp.resolve("oww")); Session s = b.session("cpu")) {
      Tensor got = s.run(Map.of(manifest.inputs().get(0).name(), x)).get(manifest.outputs().get(0).name());
      assertNull(OnnxBackendRunner.compare(want.get(0), got, 1e-4, 1e-5));
    }
  }

  /**
   * silero-vad-v5 at 576 samples with sr left an input: If_0 stays, its 16 kHz branch compiles
   * (the 8 kHz one is a fail step). That branch's fusable chains after the pipeline: the stft's
   * pad (a conv takes no producers: 1), the stft conv with its slices, squares, add and sqrt (1),
   * four encoder convs each with its relu (4), the two gathers of the state (2), the unrolled
   * LSTM step's input matmul with its bias (1) and recurrent matmul with the gates (1), the
   * state concat (1), the decoder's relu (1), conv with sigmoid (1) and the reduce_mean (1):
   * at most 14 groups, against 48 kernels without fusion in branches.
   */
  @Test
  void sileroSixteenKiloHertzBranchRunsFusedGroups() {
    SileroVadTest.Loaded l = SileroVadTest.load();
    List<Object> want = new Interpreter().run(l.module().main(), new ArrayList<>(l.inputs()));
    Compiler.Compilation c = Compiler.compile(l.module(), new CompileOptions("cpu", Weft.profileOf(l.names(), l.inputs()), null, "fp32"), null);
    Step.If branch = onlyIf(c.lowered().steps());
    Set<String> groups = groups(branch.then());
    System.out.println("[weft] silero-vad-v5 If_0 16 kHz branch: " + launches(branch.then()) + " kernels in " + groups.size()
        + " groups; whole model " + c.lowered().kernels().size() + " kernels");
    assertTrue(groups.size() <= 14, "16 kHz branch groups " + groups);
    var manifest = BundleOutput.write(c, tmp.resolve("silero"));
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (int i = 0; i < l.inputs().size(); i++) feed.put(manifest.inputs().get(i).name(), l.inputs().get(i));
    try (Bundle b = Bundle.load(tmp.resolve("silero")); Session s = b.session("cpu")) {
      Map<String, Tensor> got = s.run(feed);
      for (int i = 0; i < manifest.outputs().size(); i++) {
        Tensor actual = got.get(manifest.outputs().get(i).name());
        assertNull(OnnxBackendRunner.compare(want.get(i), actual, 1e-4, 1e-5), "output " + i + " vs interpreter");
        Object oracle = OnnxTestData.read(l.set().resolve("output_" + i + ".pb"), l.model().proto().getGraph().getOutput(i).getType());
        assertNull(OnnxBackendRunner.compare(oracle, actual, 1e-3, 1e-5), "output " + i + " vs oracle");
      }
    }
  }

  /**
   * The default pipeline on oww-hey-jarvis (threshold lowered so If_32's verifier branch runs),
   * verified after every pass (the compiler runs it unverified): the fused groups in the branch
   * pass the verifier, and the interpreter runs the optimized module to the same output.
   * (silero-vad-v5 cannot be verified so: its 8 kHz branch does not type at the 16 kHz shapes.)
   */
  @Test
  void fusedBranchPassesTheVerifierAndInterpretsTheSame() {
    Path models = Corpus.find("models");
    Path f = models == null ? null : models.resolve("oww-hey-jarvis/model.onnx");
    Assumptions.assumeTrue(f != null && Files.isRegularFile(f), "SKIPPED: no oww-hey-jarvis in the corpus at " + Corpus.root());
    OnnxModel model = OnnxModelReader.read(f);
    Tensor x = (Tensor) OnnxTestData.read(f.resolveSibling("test_data_set_0/input_0.pb"), model.proto().getGraph().getInput(0).getType());
    Module m = CompiledBranchTest.alwaysVerify(OnnxImporter.importModel(model));
    List<Object> want = new Interpreter().run(m.main(), List.of(x));
    ShapeBinding.bind(m.main(), Weft.profileOf(m.main().inputs().stream().map(Value::name).toList(), List.of(x)));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext());
    Node top = m.main().nodes().stream().filter(n -> n.opName().equals("if")).findFirst().orElseThrow();
    long fused = top.attrs().getGraph("then_branch").nodes().stream().filter(n -> n.opName().equals("fused")).count();
    assertTrue(fused > 0, "the verifier branch holds fused groups");
    List<Object> got = new Interpreter().run(m.main(), List.of(x));
    assertNull(OnnxBackendRunner.compare(want.get(0), got.get(0), 1e-4, 1e-5));
  }

  /** The program's one top-level if step. */
  private static Step.If onlyIf(List<Step> steps) {
    List<Step.If> ifs = steps.stream().filter(s -> s instanceof Step.If).map(s -> (Step.If) s).toList();
    assertEquals(1, ifs.size(), "top-level if steps");
    return ifs.get(0);
  }

  /** The fused groups the launches of {@code steps} (and of steps nested in them) come from. */
  private static Set<String> groups(List<Step> steps) {
    Set<String> out = new LinkedHashSet<>();
    walk(steps, l -> out.add(l.group()));
    return out;
  }

  private static int launches(List<Step> steps) {
    int[] n = {0};
    walk(steps, l -> n[0]++);
    return n[0];
  }

  private static void walk(List<Step> steps, java.util.function.Consumer<Step.Launch> each) {
    for (Step s : steps) {
      switch (s) {
        case Step.Launch l -> each.accept(l);
        case Step.If i -> {
          walk(i.then(), each);
          walk(i.otherwise(), each);
        }
        case Step.Loop lp -> walk(lp.body(), each);
        default -> { }
      }
    }
  }
}
