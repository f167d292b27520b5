package dev.weft.backend.rocm;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.IntrinsicClaims;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.target.Targets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every math intrinsic a gfx claims compiles (in worker processes, so a wrong claim is a
 * reported abort) and links into an HSACO with --no-undefined (no call to a missing function);
 * every one it does not claim is refused by the preflight.
 */
class RocmIntrinsicsTest {
  @ParameterizedTest
  @ValueSource(strings = {"rocm:gfx90a", "rocm:gfx942"})
  void claimedIntrinsicsSelectAndLink(String name, @TempDir Path out) {
    RocmTarget target = (RocmTarget) Targets.find(name);
    List<KernelModule> claimed = IntrinsicClaims.checkRefusedAndCollectClaimed(name, target, target, LlvmToolchain::emitObject);
    try (Compiler workers = Compiler.create(Compiler.Mode.WORKERS, 2, out.resolve("repro"))) {
      RocmKernels built = new RocmToolchain(workers, target).build(claimed, out);
      assertEquals(claimed.size(), built.notes().kernels().size());
    }
  }
}
