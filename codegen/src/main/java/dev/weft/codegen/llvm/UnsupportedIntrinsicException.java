package dev.weft.codegen.llvm;

/**
 * A module calls an intrinsic or external function that the target cannot compile: an
 * intrinsic of another architecture, a math intrinsic the backend would turn into a libm call
 * (nothing provides libm to kernels) or fail to select (which aborts LLVM).
 */
public class UnsupportedIntrinsicException extends CodegenException {
  private final String function;

  public UnsupportedIntrinsicException(String module, String function, String target, String why) {
    super("module '" + module + "' calls '" + function + "', which " + target + " cannot compile: " + why);
    this.function = function;
  }

  /** Rebuilds the exception a worker process reported. */
  public UnsupportedIntrinsicException(String message, String function) {
    super(message);
    this.function = function;
  }

  /** The called function's name ("llvm.exp.f64", "expf"). */
  public String function() { return function; }
}
