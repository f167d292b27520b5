package dev.weft.codegen.llvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code llvm-readobj} from the LLVM jar (or the system's). */
public final class ReadObj {
  private ReadObj() {}

  /** Runs {@code llvm-readobj args... file} and returns its standard output. */
  public static String run(Path file, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LlvmTools.llvmReadobj().toString());
    cmd.addAll(List.of(args));
    cmd.add(file.toString());
    return ToolRun.run("llvm-readobj", cmd, LlvmTools.environment(), null, ToolRun.DEFAULT_TIMEOUT)
        .requireSuccess("llvm-readobj").stdout();
  }

  /** The ELF notes (AMDGPU metadata of a code object is one of them). */
  public static String notes(Path file) { return run(file, "--notes"); }

  /** Names of the defined dynamic symbols (what a shared library exports), in table order. */
  public static List<String> definedDynamicSymbols(Path file) {
    String out = run(file, "--dyn-symbols", "--elf-output-style=GNU");
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n")) {
      // GNU style: "  Num: Value Size Type Bind Vis Ndx Name"
      String[] f = line.strip().split("\\s+");
      if (f.length >= 8 && f[0].endsWith(":") && !f[6].equals("UND") && !f[0].equals("Num:")) names.add(f[7]);
    }
    return names;
  }
}
