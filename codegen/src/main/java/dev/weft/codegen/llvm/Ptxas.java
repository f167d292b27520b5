package dev.weft.codegen.llvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * NVIDIA's PTX assembler, where installed: PTX text to a cubin for one sm, with the per-kernel
 * resource usage {@code ptxas -v} reports (registers and spills decide occupancy; a spill is a
 * sign the kernel's tile is too large).
 */
public final class Ptxas {
  /** Resource usage of one entry function as ptxas reported it. */
  public record KernelStats(String kernel, int registers, int spillStoreBytes, int spillLoadBytes,
                            int sharedBytes, int stackFrameBytes, int barriers) {}

  /** A cubin and the stats of its entry functions, sorted by name. */
  public record Result(byte[] cubin, List<KernelStats> kernels, String log, long nanos) {
    public Optional<KernelStats> kernel(String name) {
      return kernels.stream().filter(k -> k.kernel().equals(name)).findFirst();
    }

    public double millis() { return nanos / 1e6; }
  }

  private static final Pattern ENTRY = Pattern.compile("Compiling entry function '([^']+)'");
  private static final Pattern PROPERTIES = Pattern.compile("Function properties for (\\S+)");
  private static final Pattern FRAME = Pattern.compile(
      "(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
  private static final Pattern USED = Pattern.compile("Used (\\d+) registers");
  private static final Pattern BARRIERS = Pattern.compile("used (\\d+) barriers");
  private static final Pattern SMEM = Pattern.compile("(\\d+) bytes smem");

  private Ptxas() {}

  /** ptxas on PATH, in $CUDA_HOME/bin, /usr/local/cuda/bin or /usr/local/bin. */
  public static Optional<Path> locate() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) for (String dir : path.split(java.io.File.pathSeparator)) if (!dir.isEmpty()) candidates.add(Path.of(dir, "ptxas"));
    String cudaHome = System.getenv("CUDA_HOME");
    if (cudaHome != null && !cudaHome.isEmpty()) candidates.add(Path.of(cudaHome, "bin", "ptxas"));
    candidates.add(Path.of("/usr/local/cuda/bin/ptxas"));
    candidates.add(Path.of("/usr/local/bin/ptxas"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  public static boolean available() { return locate().isPresent(); }

  /** Assembles {@code ptx} for {@code sm} ("sm_90a"); throws {@link ToolException} with ptxas's messages on failure. */
  public static Result assemble(String ptx, String sm) {
    if (!sm.matches("sm_\\d+a?")) throw new UnknownTargetException("CUDA architecture", sm, TargetSpec.nvptxArchs());
    Path exe = locate().orElseThrow(() -> new ToolException("ptxas", -1,
        "not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin, /usr/local/bin)"));
    Path dir = null;
    try {
      dir = Files.createTempDirectory("weft-ptxas-");
      Path in = dir.resolve("kernels.ptx");
      Path out = dir.resolve("kernels.cubin");
      Files.writeString(in, ptx, StandardCharsets.UTF_8);
      // -split-compile 0: one optimizer thread per cpu (ptxas is otherwise single-threaded).
      ToolRun run = ToolRun.run("ptxas", List.of(exe.toString(), "-arch=" + sm, "-v", "-split-compile", "0",
              "-o", out.toString(), in.toString()),
          Map.of(), dir, ToolRun.DEFAULT_TIMEOUT).requireSuccess("ptxas");
      String log = run.stderr() + run.stdout();
      return new Result(Files.readAllBytes(out), parse(log), log, run.nanos());
    } catch (IOException e) {
      throw new ToolException("ptxas", -1, "cannot stage files: " + e.getMessage());
    } finally {
      if (dir != null) deleteTree(dir);
    }
  }

  /** Per-entry stats from a {@code ptxas -v} log (device functions without an entry are left out). */
  static List<KernelStats> parse(String log) {
    Map<String, int[]> entries = new LinkedHashMap<>(); // registers, spill st, spill ld, smem, frame, barriers
    String entry = null;
    String current = null;
    for (String line : log.split("\n")) {
      Matcher m;
      if ((m = ENTRY.matcher(line)).find()) {
        entry = m.group(1);
        entries.computeIfAbsent(entry, k -> new int[6]);
      } else if ((m = PROPERTIES.matcher(line)).find()) {
        current = m.group(1);
      } else if ((m = FRAME.matcher(line)).find()) {
        int[] s = entries.get(current);
        if (s != null) {
          s[4] = Integer.parseInt(m.group(1));
          s[1] = Integer.parseInt(m.group(2));
          s[2] = Integer.parseInt(m.group(3));
        }
      } else if ((m = USED.matcher(line)).find() && entry != null) {
        int[] s = entries.get(entry);
        s[0] = Integer.parseInt(m.group(1));
        Matcher b = BARRIERS.matcher(line);
        if (b.find()) s[5] = Integer.parseInt(b.group(1));
        Matcher sh = SMEM.matcher(line);
        if (sh.find()) s[3] = Integer.parseInt(sh.group(1));
      }
    }
    List<KernelStats> out = new ArrayList<>();
    entries.forEach((k, s) -> out.add(new KernelStats(k, s[0], s[1], s[2], s[3], s[4], s[5])));
    out.sort(Comparator.comparing(KernelStats::kernel));
    return List.copyOf(out);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
