package dev.weft.backend.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.codegen.llvm.CodegenException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A {@code kernels.so} opened through FFM (dlopen), for tests and tools: call a kernel with
 * the host ABI {@code void f(void** buffers, const int64_t* dims, int64_t begin, int64_t end)}.
 * Closing unloads the library; kernels must not be called after that.
 */
public final class NativeLibrary implements AutoCloseable {
  private static final FunctionDescriptor KERNEL = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);

  private final Path path;
  private final Arena arena;
  private final SymbolLookup symbols;

  private NativeLibrary(Path path, Arena arena, SymbolLookup symbols) {
    this.path = path;
    this.arena = arena;
    this.symbols = symbols;
  }

  public static NativeLibrary open(Path library) {
    Arena arena = Arena.ofShared();
    try {
      return new NativeLibrary(library, arena, SymbolLookup.libraryLookup(library, arena));
    } catch (IllegalArgumentException e) {
      arena.close();
      throw new CodegenException("cannot load " + library + ": " + e.getMessage(), e);
    }
  }

  /** One kernel entry point. */
  public record Kernel(String name, MethodHandle handle) {
    /** Runs work items [begin, end). {@code dims} may be {@link MemorySegment#NULL}. */
    public void call(MemorySegment buffers, MemorySegment dims, long begin, long end) {
      try {
        handle.invokeExact(buffers, dims, begin, end);
      } catch (Throwable t) {
        throw new IllegalStateException("kernel " + name + " threw", t);
      }
    }
  }

  public Kernel kernel(String name) {
    MemorySegment address = symbols.find(name)
        .orElseThrow(() -> new CodegenException(path + " does not export kernel '" + name + "'"));
    return new Kernel(name, Linker.nativeLinker().downcallHandle(address, KERNEL));
  }

  /** The library's {@code weft_abi_version}. */
  public int abiVersion() {
    MemorySegment g = symbols.find("weft_abi_version")
        .orElseThrow(() -> new CodegenException(path + " has no weft_abi_version"));
    return g.reinterpret(4).get(JAVA_INT, 0);
  }

  @Override
  public void close() { arena.close(); }
}
