package dev.weft.codegen.llvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The child process of {@link WorkerPool}: reads compile requests from stdin, answers on the
 * original stdout, and dies alone when LLVM aborts. Before anything else it moves its native
 * stdout onto stderr (anything LLVM or the JVM prints must not land in the protocol stream)
 * and turns core dumps off (an abort is expected here and reported by the parent).
 */
public final class CodegenWorker {
  private CodegenWorker() {}

  public static void main(String[] args) throws IOException {
    OutputStream protocolStream = claimStdout();
    disableCoreDumps();
    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(protocolStream, 1 << 16));
    try {
      LlvmNative.ensureLoaded();
    } catch (RuntimeException e) {
      WorkerProtocol.writeError(out, e.getClass().getSimpleName(), e.getMessage(), "");
      System.exit(3);
    }
    WorkerProtocol.writeReady(out, (long) (LlvmNative.loadMillis() * 1e6));
    CompileRequest request;
    while ((request = WorkerProtocol.readRequest(in)) != null) {
      try {
        WorkerProtocol.writeOk(out, KernelCompilation.run(request));
      } catch (UnsupportedIntrinsicException e) {
        WorkerProtocol.writeError(out, e.getClass().getSimpleName(), e.getMessage(), e.function());
      } catch (RuntimeException e) {
        WorkerProtocol.writeError(out, e.getClass().getSimpleName(), String.valueOf(e.getMessage()), "");
      }
    }
    out.flush();
  }

  /** dup(1) for the protocol, then dup2(2, 1): the returned stream is the only writer to the parent's pipe. */
  private static OutputStream claimStdout() {
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      MethodHandle dup = linker.downcallHandle(libc.find("dup").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
      MethodHandle dup2 = linker.downcallHandle(libc.find("dup2").orElseThrow(),
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
      System.out.flush();
      int fd = (int) dup.invokeExact(1);
      if (fd < 0) throw new IOException("dup(1) failed");
      FileOutputStream protocol = new FileOutputStream("/proc/self/fd/" + fd);
      if ((int) dup2.invokeExact(2, 1) < 0) throw new IOException("dup2(2, 1) failed");
      return protocol;
    } catch (Throwable e) {
      System.err.println("weft worker: keeping stdout for the protocol (" + e + ")");
      return new FileOutputStream(FileDescriptor.out);
    }
  }

  /** setrlimit(RLIMIT_CORE, {0, 0}). */
  private static void disableCoreDumps() {
    try (Arena arena = Arena.ofConfined()) {
      Linker linker = Linker.nativeLinker();
      MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().find("setrlimit").orElseThrow(),
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
      MemorySegment limit = arena.allocate(JAVA_LONG, 2);
      int rlimitCore = 4;
      int rc = (int) setrlimit.invokeExact(rlimitCore, limit);
      if (rc != 0) System.err.println("weft worker: setrlimit(RLIMIT_CORE) returned " + rc);
    } catch (Throwable e) {
      System.err.println("weft worker: core dumps stay as configured (" + e + ")");
    }
  }
}
