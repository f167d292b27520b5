package dev.weft.codegen.llvm;

import java.io.File;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Loader;

/**
 * The LLVM programs shipped in the {@code org.bytedeco:llvm} platform jar ({@code lld},
 * {@code llvm-readobj}, {@code llc}, ...), extracted one by one into JavaCPP's cache. (The
 * presets' {@code org.bytedeco.llvm.program.llvm} class would extract the whole 490 MB
 * package, clang included.) The programs link against {@code libLLVM.so.<major>.<minor>}
 * while the jar ships it as {@code libLLVM.so}; a private directory with that soname as a link
 * to the cached library goes on their {@code LD_LIBRARY_PATH}.
 */
public final class LlvmTools {
  private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();
  private static volatile Path libDir;

  private LlvmTools() {}

  /** The jar's program {@code name}, extracted and executable, or empty when the jar lacks it. */
  public static Optional<Path> bundled(String name) {
    Path p = EXTRACTED.get(name);
    if (p != null) return Optional.of(p);
    LlvmNative.ensureLoaded(); // extracts libLLVM.so, which the programs need
    File f;
    try {
      f = Loader.cacheResource(resource(name));
    } catch (IOException e) {
      throw new ToolException(name, -1, "cannot extract from the LLVM jar: " + e.getMessage());
    }
    if (f == null) return Optional.empty();
    Path path = executable(f.toPath());
    EXTRACTED.put(name, path);
    return Optional.of(path);
  }

  /** The jar's {@code lld} (GNU flavor is chosen with {@code -flavor gnu}). */
  public static Path lld() {
    return bundled("lld").orElseThrow(() -> new ToolException("lld", -1, "not found in the LLVM jar (" + resource("lld") + ")"));
  }

  /** The jar's {@code llvm-readobj}, else {@code /usr/bin/llvm-readobj}. */
  public static Path llvmReadobj() {
    Optional<Path> p = bundled("llvm-readobj");
    if (p.isPresent()) return p.get();
    Path system = Path.of("/usr/bin/llvm-readobj");
    if (Files.isExecutable(system)) return system;
    throw new ToolException("llvm-readobj", -1, "not in the LLVM jar and not at " + system);
  }

  /** Environment for running one of the jar's programs. */
  public static Map<String, String> environment() {
    String existing = System.getenv("LD_LIBRARY_PATH");
    String dir = libDir().toString();
    return Map.of("LD_LIBRARY_PATH", existing == null || existing.isEmpty() ? dir : dir + File.pathSeparator + existing);
  }

  /** A directory holding {@code libLLVM.so.<major>.<minor>} as a link to the cached {@code libLLVM.so}. */
  static Path libDir() {
    Path d = libDir;
    if (d != null) return d;
    synchronized (LlvmTools.class) {
      if (libDir != null) return libDir;
      LlvmNative.ensureLoaded();
      try {
        File lib = Loader.cacheResource(resource("libLLVM.so"));
        if (lib == null) throw new ToolException("libLLVM.so", -1, "not found in the LLVM jar");
        String version = llvmVersion();
        Path dir = Path.of(Loader.getCacheDir().getPath(), "weft-llvm-" + version + "-" + Loader.getPlatform());
        Files.createDirectories(dir);
        Path soname = dir.resolve("libLLVM.so." + version);
        if (!Files.exists(soname)) {
          // Link under a unique temporary name, then rename: other JVMs may do the same concurrently.
          Path tmp = Files.createSymbolicLink(dir.resolve("libLLVM.so." + version + ".tmp" + ProcessHandle.current().pid()),
              lib.toPath().toAbsolutePath());
          try {
            Files.move(tmp, soname, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, soname, StandardCopyOption.REPLACE_EXISTING);
          }
        }
        libDir = dir;
        return dir;
      } catch (IOException e) {
        throw new ToolException("libLLVM.so", -1, "cannot prepare the LLVM library directory: " + e.getMessage());
      }
    }
  }

  /** "20.1" for presets version "20.1.7-1.5.12": the soname's version. */
  static String llvmVersion() throws IOException {
    String v = Loader.getVersion("org.bytedeco", "llvm");
    if (v == null) throw new ToolException("libLLVM.so", -1, "cannot tell the LLVM presets version");
    String[] parts = v.split("[.-]");
    return parts[0] + "." + parts[1];
  }

  private static String resource(String name) {
    return "/org/bytedeco/llvm/" + Loader.getPlatform() + "/" + name;
  }

  /** Sets the execute bit (the cache keeps the jar entry's bits, which are none); copies the file when that is not allowed. */
  private static Path executable(Path file) {
    if (Files.isExecutable(file) || file.toFile().setExecutable(true, false)) return file;
    try {
      Path dir = Files.createDirectories(Path.of(Loader.getCacheDir().getPath(), "weft-tools-" + ProcessHandle.current().pid()));
      Path copy = dir.resolve(file.getFileName());
      Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
      if (!copy.toFile().setExecutable(true, true)) throw new IOException("cannot make " + copy + " executable");
      return copy;
    } catch (IOException e) {
      throw new ToolException(file.getFileName().toString(), -1, e.getMessage());
    }
  }
}
