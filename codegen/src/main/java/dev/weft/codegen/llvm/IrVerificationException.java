package dev.weft.codegen.llvm;

/** LLVMVerifyModule rejected a module; the message is the verifier's, prefixed by the module name. */
public class IrVerificationException extends CodegenException {
  public IrVerificationException(String message) { super(message); }
}
