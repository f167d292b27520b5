package dev.weft.codegen.llvm;

import dev.weft.bundle.WeftException;

/**
 * LLVM or one of its tools rejected a kernel module: the verifier, a pass pipeline, a backend
 * diagnostic, the linker, ptxas. The message carries LLVM's own text and names the kernel or
 * file it was working on.
 */
public class CodegenException extends WeftException {
  public CodegenException(String message) { super(message); }

  public CodegenException(String message, Throwable cause) { super(message, cause); }
}
