package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.manifest.KernelStats;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.ManifestJson;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.llvm.Ptxas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft compile examples/mlp --target cuda:sm_90}: its two matmuls are cuBLASLt library
 * steps by default (kernels with {@code --gemm kernels}), ptxas's per-kernel usage lies in
 * ranks/0/kernels.json, and {@code weft inspect} shows both.
 */
class CudaBundleInspectTest {
  @TempDir Path tmp;

  private static Path mlp() { return Path.of(System.getProperty("weft.root", "..")).resolve("examples/mlp/model.wir"); }

  private Path compile(String... extra) {
    Path bundle = tmp.resolve("mlp-" + String.join("-", extra));
    List<String> args = new java.util.ArrayList<>(List.of("compile", mlp().toString(), "--target", "cuda:sm_90", "--shapes", "x=4x16",
        "-o", bundle.toString(), "--quiet"));
    args.addAll(List.of(extra));
    CliTest.Result r = CliTest.weft(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return bundle;
  }

  private static Program program(Path bundle) throws IOException {
    return ProgramJson.read("program.json", Files.readAllBytes(bundle.resolve("ranks/0/program.json")));
  }

  @Test
  void mlpMatmulsAreLibraryStepsAndInspectShowsThem() throws IOException {
    Path bundle = compile();
    Program p = program(bundle);
    List<Step.Library> calls = p.steps().stream().filter(s -> s instanceof Step.Library).map(s -> (Step.Library) s).toList();
    assertEquals(2, calls.size(), "fc1 and fc2 matmuls: " + p.steps());
    // fc1: x[4,16] x w[16,32] is cuBLAS's column-major D(32x4) = w(32x16) x x(16x4).
    assertEquals(new LibraryMatmul(32, 4, 16, 1, false, false, 32, 16, 32, 0, 0, 128, dev.weft.bundle.DType.F32, "none"),
        LibraryMatmul.of(calls.get(0)));
    CliTest.Result r = CliTest.weft("inspect", bundle.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 library calls"), r.out());
    assertTrue(r.out().contains("library cublaslt.matmul [w_fc1_weight, x, "), r.out());

    Path kernels = compile("--gemm", "kernels");
    assertTrue(program(kernels).steps().stream().noneMatch(s -> s instanceof Step.Library), "--gemm kernels keeps generated matmuls");
  }

  @Test
  void ptxasUsageIsRecordedPerKernelInTheBundle() throws IOException {
    if (!Ptxas.available()) {
      System.out.println("[weft] SKIPPED kernels.json check: ptxas not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin, /usr/local/bin)");
      Assumptions.abort("ptxas not installed");
    }
    for (String gemm : List.of("cublaslt", "kernels")) {
      Path bundle = compile("--gemm", gemm);
      Manifest m = ManifestJson.read("manifest.json", Files.readAllBytes(bundle.resolve("manifest.json")));
      assertTrue(m.files().containsKey("ranks/0/kernels.json"), "kernels.json is listed and hashed: " + m.files().keySet());
      List<KernelStats> stats = KernelStats.read("kernels.json", Files.readAllBytes(bundle.resolve("ranks/0/kernels.json")));
      TreeSet<String> launched = new TreeSet<>();
      for (Step s : program(bundle).steps()) if (s instanceof Step.Launch l) launched.add(l.kernel());
      assertEquals(launched, new TreeSet<>(stats.stream().map(KernelStats::name).toList()), "one entry per kernel (" + gemm + ")");
      for (KernelStats k : stats) assertTrue(k.registers() > 0 && k.registers() <= 255, k.describe());
      CliTest.Result r = CliTest.weft("inspect", bundle.toString());
      for (KernelStats k : stats) assertTrue(r.out().contains("ptxas " + k.describe()), r.out());
      CliTest.Result j = CliTest.weft("inspect", bundle.toString(), "--json");
      assertTrue(j.out().replaceAll("\\s+", "").contains("\"kernel_stats\":[{\"name\":\"" + stats.get(0).name() + "\",\"registers\":"
          + stats.get(0).registers()), j.out());
    }
  }

  @Test
  void aLoneMatmulCompilesToAnEmptyKernelModuleAndOneLibraryStep() throws IOException {
    Path model = tmp.resolve("mm.wir");
    Files.writeString(model, """
        module {
          graph @mm(%a: f32[4,8], %b: f32[8,3]) -> (%c) {
            %c: f32[4,3] = matmul(%a, %b)
          }
        }
        """);
    Path bundle = tmp.resolve("mm.bundle");
    CliTest.Result r = CliTest.weft("compile", model.toString(), "--target", "cuda:sm_80", "-o", bundle.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    Program p = program(bundle);
    assertEquals(1, p.steps().size(), p.steps().toString());
    assertEquals(List.of("b", "a", "c"), ((Step.Library) p.steps().get(0)).args());
    assertTrue(Files.readString(bundle.resolve("ranks/0/kernels.ptx")).contains(".target sm_80"));
  }

  @Test
  void cublasltOnANonCudaTargetIsAUserError() {
    CliTest.Result r = CliTest.weft("compile", mlp().toString(), "--target", "cpu", "--gemm", "cublaslt", "-o", tmp.resolve("x").toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--gemm cublaslt needs a cuda target"), r.err());
  }
}
