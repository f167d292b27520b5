package dev.weft.codegen.llvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the module of a request that killed a worker, as LLVM IR with a header saying how to
 * replay it with llc. Kernel names may come from model files: they are reduced to
 * {@code [A-Za-z0-9_.-]} before becoming part of a file name.
 */
final class Reproducers {
  private Reproducers() {}

  /** The file written, or null when it could not be (the abort is still reported). */
  static Path write(Path dir, CompileRequest r, String why) {
    String body;
    String ext;
    try (OwnedModule m = LlvmToolchain.parseBitcode(r.bitcode(), r.kernel())) {
      body = LlvmToolchain.printIr(m.module());
      ext = ".ll";
    } catch (RuntimeException e) {
      body = null;
      ext = ".bc";
    }
    try {
      Files.createDirectories(dir);
      Path file = unique(dir, safeName(r.kernel()) + "-" + safeName(r.spec().cpu()), ext);
      if (body == null) {
        Files.write(file, r.bitcode());
      } else {
        Files.writeString(file, header(r, why, file) + body, StandardCharsets.UTF_8);
      }
      return file;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String header(CompileRequest r, String why, Path file) {
    StringBuilder sb = new StringBuilder();
    sb.append("; Weft codegen reproducer: LLVM died compiling kernel '").append(r.kernel()).append("'\n");
    sb.append("; target: triple=").append(r.spec().triple()).append(" cpu=").append(r.spec().cpu())
        .append(" features=").append(r.spec().features().isEmpty() ? "(none)" : r.spec().features()).append('\n');
    sb.append("; request: optimize=").append(r.optimize()).append(" emit=").append(r.emit()).append('\n');
    for (String line : why.split("\n")) sb.append("; ").append(line).append('\n');
    String llc = "llc -O3 -mtriple=" + r.spec().triple() + " -mcpu=" + r.spec().cpu()
        + (r.spec().features().isEmpty() ? "" : " -mattr=" + r.spec().features());
    String input = file.getFileName().toString();
    sb.append("; replay: ").append(r.optimize()
        ? "opt -passes='" + LlvmToolchain.PIPELINE + "' " + input + " | " + llc
        : llc + " " + input).append("\n\n");
    return sb.toString();
  }

  static String safeName(String s) {
    String t = s.replaceAll("[^A-Za-z0-9_.-]", "_").replaceAll("^\\.+", "_");
    if (t.isEmpty()) t = "kernel";
    return t.length() > 80 ? t.substring(0, 80) : t;
  }

  private static Path unique(Path dir, String base, String ext) throws IOException {
    for (int i = 0; i < 100_000; i++) {
      Path p = dir.resolve(base + (i == 0 ? "" : "-" + i) + ext);
      try {
        return Files.createFile(p);
      } catch (FileAlreadyExistsException e) {
        // next number
      }
    }
    throw new IOException("no free reproducer name for " + base + " in " + dir);
  }
}
