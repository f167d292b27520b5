package dev.weft.backend.rocm;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.MathIntrinsics;
import dev.weft.codegen.llvm.OwnedModule;
import dev.weft.codegen.llvm.SampleKernels;
import dev.weft.codegen.llvm.UnsupportedIntrinsicException;
import dev.weft.codegen.target.Targets;
import java.nio.file.Path;
import java.util.ArrayList;
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
    List<KernelModule> claimed = new ArrayList<>();
    for (String intrinsic : MathIntrinsics.KNOWN) {
      for (int bits : new int[] {32, 64}) {
        KernelModule k = SampleKernels.mathIntrinsic("weft_" + intrinsic + "_f" + bits, target, intrinsic, bits);
        if (target.supportsIntrinsic(intrinsic, bits)) {
          claimed.add(k);
        } else {
          try (OwnedModule m = LlvmToolchain.parseBitcode(k.bitcode(), k.name())) {
            assertThrows(UnsupportedIntrinsicException.class, () -> LlvmToolchain.emitObject(m.module(), target.spec()),
                name + " does not claim llvm." + intrinsic + ".f" + bits);
          }
        }
      }
    }
    System.out.printf("[weft] %s claims %d of %d math intrinsic forms%n", name, claimed.size(), 2 * MathIntrinsics.KNOWN.size());
    try (Compiler workers = Compiler.create(Compiler.Mode.WORKERS, 2, out.resolve("repro"))) {
      RocmKernels built = new RocmToolchain(workers, target).build(claimed, out);
      assertEquals(claimed.size(), built.notes().kernels().size());
    }
  }
}
