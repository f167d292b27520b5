package dev.weft.runtime.cpu;

/** Test access to the host architecture name the cpu device uses. */
public final class CpuTestAccess {
  private CpuTestAccess() {}

  public static String hostArch() { return HostArch.arch(); }
}
