package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the JavaCPP LLVM natives once per process and registers the three backends Weft emits
 * for (X86 for the host, NVPTX, AMDGPU). Every class that calls into LLVM goes through
 * {@link #ensureLoaded()} first; calling an LLVM function before the targets are registered
 * fails inside LLVM ("No available targets"), not with a Java error.
 */
public final class LlvmNative {
  private static final Object LOCK = new Object();
  private static volatile long loadNanos = -1;

  private LlvmNative() {}

  /** Loads and initializes LLVM if this process has not yet; thread-safe and cheap after the first call. */
  public static void ensureLoaded() {
    if (loadNanos >= 0) return;
    synchronized (LOCK) {
      if (loadNanos >= 0) return;
      long t0 = System.nanoTime();
      try {
        Loader.load(org.bytedeco.llvm.global.LLVM.class);
      } catch (UnsatisfiedLinkError | RuntimeException e) {
        throw new LlvmUnavailableException("cannot load the LLVM natives (org.bytedeco:llvm:"
            + "linux-x86_64 on the class path? platform " + Loader.getPlatform() + "): " + e.getMessage(), e);
      }
      LLVMInitializeX86TargetInfo();
      LLVMInitializeX86Target();
      LLVMInitializeX86TargetMC();
      LLVMInitializeX86AsmPrinter();
      LLVMInitializeX86AsmParser();
      // NVPTX has no assembly parser (PTX is assembled by ptxas, not LLVM).
      LLVMInitializeNVPTXTargetInfo();
      LLVMInitializeNVPTXTarget();
      LLVMInitializeNVPTXTargetMC();
      LLVMInitializeNVPTXAsmPrinter();
      LLVMInitializeAMDGPUTargetInfo();
      LLVMInitializeAMDGPUTarget();
      LLVMInitializeAMDGPUTargetMC();
      LLVMInitializeAMDGPUAsmPrinter();
      LLVMInitializeAMDGPUAsmParser();
      loadNanos = System.nanoTime() - t0;
    }
  }

  /** Milliseconds the first {@link #ensureLoaded()} took in this process, or -1 before it ran. */
  public static double loadMillis() {
    long n = loadNanos;
    return n < 0 ? -1 : n / 1e6;
  }

  /** Whether {@link #ensureLoaded()} has completed in this process. */
  public static boolean loaded() { return loadNanos >= 0; }
}
