package dev.weft.runtime.gpu;

import dev.weft.runtime.DeviceUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A driver library opened through FFM. A library or symbol that is not there is a
 * {@link DeviceUnavailableException} naming it, raised when the device is opened, never a
 * crash later.
 */
public final class NativeLibrary {
  private final String kind;
  private final String name;
  private final SymbolLookup lookup;

  private NativeLibrary(String kind, String name, SymbolLookup lookup) {
    this.kind = kind;
    this.name = name;
    this.lookup = lookup;
  }

  /**
   * Opens {@code nameOrPath}: a soname searched the usual way ({@code libcuda.so.1}) or, with a
   * '/', a file.
   *
   * @param kind the device kind, for messages
   */
  public static NativeLibrary open(String kind, String nameOrPath) {
    try {
      // Drivers stay loaded for the life of the JVM, as they would for any native program.
      SymbolLookup l = nameOrPath.contains("/")
          ? SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global())
          : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
      return new NativeLibrary(kind, nameOrPath, l);
    } catch (IllegalArgumentException | IllegalCallerException e) {
      throw new DeviceUnavailableException(kind + ": cannot load " + nameOrPath + " (" + e.getMessage()
          + "); is the " + kind + " driver installed on this machine?", e);
    }
  }

  /**
   * Opens the first of {@code names} that loads (sonames of successive major versions, newest
   * first); none loading is one {@link DeviceUnavailableException} naming them all.
   */
  public static NativeLibrary openFirst(String kind, java.util.List<String> names, String what) {
    StringBuilder tried = new StringBuilder();
    for (String n : names) {
      try {
        return open(kind, n);
      } catch (DeviceUnavailableException e) {
        tried.append(tried.isEmpty() ? "" : ", ").append(n);
      }
    }
    throw new DeviceUnavailableException(kind + ": cannot load " + what + " (tried " + tried + "); is it installed and on the library path?");
  }

  public String name() { return name; }

  /** A downcall to {@code symbol}; a missing symbol names the library and the symbol. */
  public MethodHandle function(String symbol, FunctionDescriptor fd) {
    MemorySegment addr = lookup.find(symbol).orElseThrow(() -> new DeviceUnavailableException(
        kind + ": " + name + " has no function " + symbol + " (a driver too old for this runtime?)"));
    return Linker.nativeLinker().downcallHandle(addr, fd);
  }
}
