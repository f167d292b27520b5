package dev.weft.frontend.torchscript;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the whole TorchScript import path: source text lowered against a fixed module
 * object, and whole archive files opened and imported. Only typed errors ({@link WeftException}
 * subclasses) may escape; anything else, a hang or an OOM is a finding. The imported graph must
 * verify. Replayed from {@code TorchScriptImportFuzzTestInputs/<method>/} by {@code mvn test}.
 */
class TorchScriptImportFuzzTest {
  private static final ArchiveLimits LIMITS = new ArchiveLimits(1000, 64L << 20, 100, 1 << 20, 16 << 20, 1 << 16,
      1 << 16, 256, 64L << 20);
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("weft-fuzz");
  }

  @AfterAll
  static void removeDir() throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) Files.delete(p);
    }
    Files.delete(dir);
  }

  /**
   * The bytes as {@code code/__torch__.py} of a module {@code __torch__.M} with a 4x4 weight, a
   * float constant and a Linear submodule {@code lin}; forward gets one f32[2, 4] input.
   */
  @FuzzTest(maxDuration = "2m")
  void lowering(byte[] input) {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", new String(input, StandardCharsets.UTF_8));
    code.put("__torch__/torch/nn/modules/linear.py", """
        class Linear(Module):
          __parameters__ = ["weight", "bias", ]
          weight : Tensor
          bias : Tensor
          training : bool
          def forward(self: __torch__.torch.nn.modules.linear.Linear,
            input: Tensor) -> Tensor:
            return torch.linear(input, self.weight, self.bias)
        """);
    LinkedHashMap<String, Object> lin = new LinkedHashMap<>();
    lin.put("weight", Tensor.ofFloats(new long[] {4, 4}, new float[16]));
    lin.put("bias", Tensor.ofFloats(new long[] {4}, 1, 2, 3, 4));
    lin.put("training", false);
    LinkedHashMap<String, Object> root = new LinkedHashMap<>();
    root.put("training", false);
    root.put("weight", Tensor.ofFloats(new long[] {4, 4}, new float[16]));
    root.put("scale", 2.0);
    root.put("lin", new ScriptObject("__torch__.torch.nn.modules.linear.Linear", lin));
    try {
      Module m = TorchScriptImporter.importModule(new ScriptObject("__torch__.M", root),
          List.of(Tensor.ofFloats(new long[0], 0.5f)), code, "f.pt", List.of(TensorType.of(DType.F32, 2, 4)));
      new Verifier().verify(m);
    } catch (WeftException expected) {
      // the only failure allowed
    }
  }

  /** The bytes as a whole archive file: opened, census taken, forward imported with one f32[2, 4] input. */
  @FuzzTest(maxDuration = "60s")
  void archive(byte[] zip) throws IOException {
    Path file = Files.write(dir.resolve("a.pt"), zip);
    try (TorchArchive a = TorchArchive.open(file, LIMITS)) {
      TorchScriptCoverage.scan(a).format();
      Module m = TorchScriptImporter.importModule(a, "a.pt", List.of(TensorType.of(DType.F32, 2, 4)));
      new Verifier().verify(m);
    } catch (WeftException expected) {
      // the only failure allowed
    }
  }
}
