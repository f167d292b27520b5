package dev.weft.codegen.llvm;

import java.util.Objects;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * One kernel module to compile: its bitcode (modules cross threads and processes as bitcode;
 * an LLVM context belongs to one thread), the target, whether to run {@link LlvmToolchain#PIPELINE}
 * first, and what to return.
 */
public record CompileRequest(String kernel, TargetSpec spec, byte[] bitcode, boolean optimize, EmitKind emit) {
  public CompileRequest {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(bitcode, "bitcode");
    Objects.requireNonNull(emit, "emit");
  }

  /** Optimize and emit {@code emit} from a module built in the caller's context. */
  public static CompileRequest of(String kernel, TargetSpec spec, LLVMModuleRef module, EmitKind emit) {
    return new CompileRequest(kernel, spec, LlvmToolchain.toBitcode(module), true, emit);
  }
}
