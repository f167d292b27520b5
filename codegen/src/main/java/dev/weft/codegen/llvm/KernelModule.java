package dev.weft.codegen.llvm;

import java.util.Objects;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/** One kernel's LLVM module as bitcode, named by the kernel's symbol (weft_&lt;group&gt;). */
public record KernelModule(String name, byte[] bitcode) {
  public KernelModule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bitcode, "bitcode");
  }

  public static KernelModule of(String name, LLVMModuleRef module) {
    return new KernelModule(name, LlvmToolchain.toBitcode(module));
  }

  /** Kernel symbols are C identifiers (docs/KERNELS.md); anything else is refused before it reaches a file or a linker. */
  public static void checkName(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,199}")) {
      throw new CodegenException("kernel name '" + name + "' is not a C identifier of at most 200 characters");
    }
  }
}
