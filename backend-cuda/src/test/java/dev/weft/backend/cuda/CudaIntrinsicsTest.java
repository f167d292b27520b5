package dev.weft.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.IntrinsicClaims;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every math intrinsic an sm claims compiles (in worker processes: a wrong claim is an isel
 * abort, reported here with a reproducer instead of ending the JVM) to PTX without calls to
 * outside functions, and ptxas accepts the result; every one it does not claim is refused by
 * the preflight before LLVM sees it.
 */
class CudaIntrinsicsTest {
  @ParameterizedTest
  @ValueSource(strings = {"cuda:sm_80", "cuda:sm_90", "cuda:sm_90a"})
  void claimedIntrinsicsSelectAndAssemble(String name, @TempDir Path out) throws Exception {
    CudaTarget target = (CudaTarget) Targets.find(name);
    List<KernelModule> claimed = IntrinsicClaims.checkRefusedAndCollectClaimed(name, target, target, LlvmToolchain::emitAssembly);
    CudaKernels built;
    try (Compiler workers = Compiler.create(Compiler.Mode.WORKERS, 2, out.resolve("repro"))) {
      built = new CudaToolchain(workers, target, true).build(claimed, out);
    }
    String ptx = Files.readString(built.ptx());
    assertFalse(ptx.contains(".extern"), "a claimed intrinsic became a call to an outside function");
    assertFalse(ptx.contains("call.uni"), "no calls at all: every claimed intrinsic is inline");
    if (Ptxas.available()) {
      assertEquals(claimed.size(), built.stats().size());
    } else {
      System.out.println("[weft] SKIPPED ptxas for " + name + ": not installed");
    }
  }
}
