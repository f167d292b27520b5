package dev.weft.runtime.cpu;

import java.util.Locale;

/** The host's architecture and OS in the spelling bundles use. */
final class HostArch {
  private HostArch() {}

  static String arch() { return normalizeArch(System.getProperty("os.arch", "unknown")); }

  static String os() {
    String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) return "linux";
    if (os.startsWith("mac")) return "macos";
    if (os.startsWith("windows")) return "windows";
    return os;
  }

  /** JDK names ({@code amd64}) to LLVM's ({@code x86_64}). */
  static String normalizeArch(String a) {
    return switch (a.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64", "x86-64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> a;
    };
  }
}
