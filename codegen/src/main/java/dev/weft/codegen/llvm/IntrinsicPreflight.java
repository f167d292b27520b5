package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMUseRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Rejects, in Java, the calls that would make LLVM abort or leave a kernel with an unresolved
 * symbol: another architecture's intrinsics ({@code llvm.nvvm.*} on AMDGPU, ...), math
 * intrinsics {@link MathIntrinsics} does not claim for the target, and calls to external
 * functions (kernels link without libm; GPUs have no libc).
 */
public final class IntrinsicPreflight {
  /** Intrinsic namespaces that belong to one architecture (the second dotted component). */
  private static final Set<String> ARCH_NAMESPACES = Set.of(
      "x86", "nvvm", "amdgcn", "r600", "aarch64", "arm", "ppc", "riscv", "wasm", "hexagon",
      "mips", "s390", "ve", "loongarch", "spv", "bpf", "dx", "xcore");

  /** Host objects may call these: LLVM itself turns loops and large copies into them, and every process that loads kernels.so has libc. */
  private static final Set<String> HOST_LIBC = Set.of("memset", "memcpy", "memmove");

  private static final Pattern MATH = Pattern.compile("llvm\\.([a-z0-9]+)\\.(?:v\\d+)?f(32|64)");

  private IntrinsicPreflight() {}

  public static void check(LLVMModuleRef module, TargetSpec spec) {
    String own = switch (spec.arch()) {
      case X86_64 -> "x86";
      case NVPTX -> "nvvm";
      case AMDGPU -> "amdgcn";
    };
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f != null && !f.isNull(); f = LLVMGetNextFunction(f)) {
      if (LLVMIsDeclaration(f) == 0) continue;
      LLVMUseRef use = LLVMGetFirstUse(f);
      if (use == null || use.isNull()) continue;
      String name = name(f);
      if (name.startsWith("llvm.")) {
        int dot = name.indexOf('.', 5);
        String namespace = dot < 0 ? name.substring(5) : name.substring(5, dot);
        if (ARCH_NAMESPACES.contains(namespace) && !namespace.equals(own)) {
          throw new UnsupportedIntrinsicException(LlvmToolchain.name(module), name, spec.shortName(),
              "it is an intrinsic of another architecture (llvm." + namespace + ".*)");
        }
        Matcher m = MATH.matcher(name);
        if (m.matches() && !MathIntrinsics.KNOWN.contains(m.group(1))) {
          throw new UnsupportedIntrinsicException(LlvmToolchain.name(module), name, spec.shortName(),
              "it is not among the math intrinsics checked per target (MathIntrinsics.KNOWN)");
        }
        if (m.matches() && !MathIntrinsics.selectable(spec, m.group(1), Integer.parseInt(m.group(2)))) {
          throw new UnsupportedIntrinsicException(LlvmToolchain.name(module), name, spec.shortName(),
              spec.gpu() ? "the backend cannot select it" : "the backend lowers it to a libm call, and kernels link without libm");
        }
      } else if (spec.gpu() || !HOST_LIBC.contains(name)) {
        throw new UnsupportedIntrinsicException(LlvmToolchain.name(module), name, spec.shortName(),
            spec.gpu() ? "GPU kernels cannot call external functions" : "host kernels link without libm/libc (only memset/memcpy/memmove)");
      }
    }
  }

  private static String name(LLVMValueRef f) {
    try (SizeTPointer length = new SizeTPointer(1)) {
      BytePointer p = LLVMGetValueName2(f, length);
      return p.getString(StandardCharsets.UTF_8);
    }
  }
}
