package dev.weft.codegen.llvm;

import java.nio.file.Path;

/**
 * LLVM ended the worker process compiling a kernel (report_fatal_error aborts, exit 134, or any
 * signal or hang). The kernel's IR was saved to {@link #reproducer()} so the failure can be
 * replayed with {@code llc}; the worker pool replaced the dead process.
 */
public class CodegenAbortException extends CodegenException {
  private final String kernel;
  private final int exitCode;
  private final transient Path reproducer;

  public CodegenAbortException(String kernel, String message, int exitCode, Path reproducer) {
    super(message + (reproducer == null ? "" : "\n  reproducer: " + reproducer));
    this.kernel = kernel;
    this.exitCode = exitCode;
    this.reproducer = reproducer;
  }

  public String kernel() { return kernel; }

  /** The worker's exit status (134 for SIGABRT), or -1 when it was killed after a timeout. */
  public int exitCode() { return exitCode; }

  /** The file holding the kernel's LLVM IR, or null when it could not be written. */
  public Path reproducer() { return reproducer; }
}
