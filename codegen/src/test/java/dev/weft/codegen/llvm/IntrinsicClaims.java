package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.codegen.target.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * The part every backend's intrinsics test shares: one sample kernel per known math intrinsic
 * and width; those the target does not claim must be refused by the preflight of {@code llvmStep}
 * (the backend's first LLVM call) before LLVM sees them, so a wrong claim cannot abort the JVM.
 */
public final class IntrinsicClaims {
  private IntrinsicClaims() {}

  /**
   * Checks the refusals and returns the claimed kernels, for the backend to build.
   *
   * @param kernelTarget the target the sample kernels are built for (null: the host)
   */
  public static List<KernelModule> checkRefusedAndCollectClaimed(String targetName, Target target, Target kernelTarget,
      BiConsumer<LLVMModuleRef, TargetSpec> llvmStep) {
    List<KernelModule> claimed = new ArrayList<>();
    for (String intrinsic : MathIntrinsics.KNOWN) {
      for (int bits : new int[] {32, 64}) {
        KernelModule k = SampleKernels.mathIntrinsic("weft_" + intrinsic + "_f" + bits, kernelTarget, intrinsic, bits);
        if (target.supportsIntrinsic(intrinsic, bits)) {
          claimed.add(k);
        } else {
          try (OwnedModule m = LlvmToolchain.parseBitcode(k.bitcode(), k.name())) {
            assertThrows(UnsupportedIntrinsicException.class, () -> llvmStep.accept(m.module(), target.spec()),
                targetName + " does not claim llvm." + intrinsic + ".f" + bits + ": the preflight must refuse it");
          }
        }
      }
    }
    System.out.printf("[weft] %s claims %d of %d math intrinsic forms: %s%n", targetName, claimed.size(),
        2 * MathIntrinsics.KNOWN.size(), claimed.stream().map(KernelModule::name).toList());
    return claimed;
  }
}
