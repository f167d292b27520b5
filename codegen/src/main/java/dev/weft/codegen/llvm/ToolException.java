package dev.weft.codegen.llvm;

/** An external tool (ld.lld, llvm-readobj, ptxas) failed, was missing, or timed out. */
public class ToolException extends CodegenException {
  private final String tool;
  private final int exitCode;

  public ToolException(String tool, int exitCode, String message) {
    super(tool + ": " + message);
    this.tool = tool;
    this.exitCode = exitCode;
  }

  public String tool() { return tool; }

  /** The tool's exit status, or -1 when it did not run to completion. */
  public int exitCode() { return exitCode; }
}
