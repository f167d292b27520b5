package dev.weft.codegen.llvm;

/** The LLVM natives (JavaCPP presets for linux-x86_64) could not be loaded in this process. */
public class LlvmUnavailableException extends CodegenException {
  public LlvmUnavailableException(String message, Throwable cause) { super(message, cause); }
}
