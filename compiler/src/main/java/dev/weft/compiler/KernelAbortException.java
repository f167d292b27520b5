package dev.weft.compiler;

import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.llvm.CodegenAbortException;
import java.nio.file.Path;
import java.util.List;

/**
 * LLVM died (in a worker process) compiling one kernel: the message names the kernel, the
 * fused group it was lowered from and that group's source nodes, then LLVM's own words and the
 * reproducer file holding the kernel's LLVM IR. The cause is the worker pool's
 * {@link CodegenAbortException}.
 */
public final class KernelAbortException extends WeftException {
  private final String kernel;
  private final String group;
  private final List<String> nodes;
  private final transient Path reproducer;

  KernelAbortException(Step.Launch launch, CodegenAbortException abort) {
    super("kernel " + launch.kernel() + " of fused group " + launch.group() + " (source nodes: " + String.join("; ", launch.nodes())
        + "): " + abort.getMessage(), abort);
    this.kernel = launch.kernel();
    this.group = launch.group();
    this.nodes = List.copyOf(launch.nodes());
    this.reproducer = abort.reproducer();
  }

  /**
   * {@code abort} restated with its kernel's group and nodes from {@code steps}; an abort of a
   * request that is not one launch (the CPU ABI object, a linked GPU module no single kernel of
   * which fails alone) comes back as it was.
   */
  static WeftException of(CodegenAbortException abort, List<Step> steps) {
    for (Step s : steps) {
      if (s instanceof Step.Launch l && l.kernel().equals(abort.kernel())) return new KernelAbortException(l, abort);
    }
    return abort;
  }

  public String kernel() { return kernel; }

  public String group() { return group; }

  /** The group's nodes as {@code Node.describe()} prints them. */
  public List<String> nodes() { return nodes; }

  /** The file holding the kernel's LLVM IR, or null when it could not be written. */
  public Path reproducer() { return reproducer; }
}
