package dev.weft.codegen.llvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The LLVM jar's {@code lld}, run as the GNU-flavor {@code ld.lld}. */
public final class Lld {
  /**
   * The C library, offered with --as-needed: it becomes a dependency only when an object
   * references it (LLVM may turn loops into memset/memcpy calls).
   */
  private static final List<Path> LIBC_CANDIDATES = List.of(
      Path.of("/lib/x86_64-linux-gnu/libc.so.6"), Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"),
      Path.of("/lib64/libc.so.6"), Path.of("/usr/lib64/libc.so.6"));

  private Lld() {}

  /** Runs {@code ld.lld args...}; throws {@link ToolException} with lld's messages on failure. */
  public static ToolRun run(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LlvmTools.lld().toString());
    cmd.add("-flavor");
    cmd.add("gnu");
    cmd.addAll(args);
    return ToolRun.run("ld.lld", cmd, LlvmTools.environment(), null, ToolRun.DEFAULT_TIMEOUT).requireSuccess("ld.lld");
  }

  /**
   * Links host objects into a shared library. Undefined symbols are errors (a kernel that
   * calls expf fails here, naming the object and symbol, rather than at dlopen).
   */
  public static ToolRun linkHostShared(List<Path> objects, Path output) {
    List<String> args = new ArrayList<>(List.of("-shared", "--no-undefined", "-z", "noexecstack", "-z", "now",
        "--hash-style=gnu", "-soname", output.getFileName().toString(), "-o", output.toString()));
    for (Path o : objects) args.add(o.toString());
    LIBC_CANDIDATES.stream().filter(Files::isRegularFile).findFirst().ifPresent(libc -> {
      args.add("--as-needed");
      args.add(libc.toString());
    });
    return run(args);
  }

  /** Links AMDGPU code objects into an HSA code object (HSACO). */
  public static ToolRun linkAmdgpuCodeObject(List<Path> objects, Path output) {
    List<String> args = new ArrayList<>(List.of("-shared", "--no-undefined", "-o", output.toString()));
    for (Path o : objects) args.add(o.toString());
    return run(args);
  }
}
