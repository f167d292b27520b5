package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.lower.LoweringCheck;
import dev.weft.codegen.target.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMOrcLLJITRef;
import org.bytedeco.llvm.LLVM.LLVMOrcThreadSafeContextRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Test-only: emits kernels for the host, optimizes them at O2 and runs them in-process through
 * ORC LLJIT, so emitter tests need neither the linker nor the CPU backend.
 */
final class HostJit {
  static {
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
  }

  /** A host target for tests; {@code roundingIntrinsics} false exercises the libm-free fallbacks. */
  static Target host(boolean roundingIntrinsics) {
    return new Target() {
      public String name() { return "test-host"; }
      public boolean gpu() { return false; }
      public int kernelCallingConvention() { return 0; }
      public int globalAddressSpace() { return 0; }
      public int sharedAddressSpace() { return -1; }
      public int warpSize() { return 1; }
      public int defaultBlockSize() { return 1; }
      public long sharedMemoryBytes() { return 0; }
      public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) { throw new UnsupportedOperationException(); }
      public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) { throw new UnsupportedOperationException(); }
      public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) { }
      public void decorateHelper(LLVMValueRef fn) { }
      public dev.weft.codegen.llvm.TargetSpec spec() { return dev.weft.codegen.llvm.TargetSpec.host(); }
      public boolean supportsIntrinsic(String name, int bits) {
        return name.equals("sqrt") || (roundingIntrinsics && List.of("floor", "ceil", "trunc", "rint").contains(name));
      }
    };
  }

  static LoweringCheck.Runner runner(boolean roundingIntrinsics) {
    return (kernels, memory) -> {
      for (Kernel k : kernels) run(k, memory, host(roundingIntrinsics));
    };
  }

  static synchronized void run(Kernel k, Map<Buffer, Tensor> memory, Target target) { run(k, memory, target, new long[0]); }

  /**
   * As {@link #run(Kernel, Map, Target)} with the kernel's symbolic dims bound to {@code dims};
   * tensors may be smaller than their buffers (packed at the bound dims): each is given a
   * buffer-sized allocation, as the arena reserves the maximum.
   */
  static synchronized void run(Kernel k, Map<Buffer, Tensor> memory, Target target, long[] dims) {
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMContextRef ctx = LLVMOrcThreadSafeContextGetContext(tsc);
    LLVMModuleRef m = LLVMModuleCreateWithNameInContext(k.name(), ctx);
    KernelEmitter.emit(k, target, ctx, m);
    BytePointer err = new BytePointer();
    if (LLVMVerifyModule(m, LLVMReturnStatusAction, err) != 0) {
      String ir = LLVMPrintModuleToString(m).getString();
      throw new AssertionError("invalid LLVM IR: " + err.getString() + "\n" + ir);
    }
    optimize(m);
    LLVMOrcLLJITRef jit = new LLVMOrcLLJITRef();
    check(LLVMOrcCreateLLJIT(jit, null));
    check(LLVMOrcLLJITAddLLVMIRModule(jit, LLVMOrcLLJITGetMainJITDylib(jit), LLVMOrcCreateNewThreadSafeModule(m, tsc)));
    LongPointer addr = new LongPointer(1);
    check(LLVMOrcLLJITLookup(jit, addr, k.name()));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment table = arena.allocate(ValueLayout.ADDRESS, k.params().size());
      MemorySegment[] segs = new MemorySegment[k.params().size()];
      for (int i = 0; i < segs.length; i++) {
        Tensor t = memory.get(k.params().get(i));
        Buffer p = k.params().get(i);
        segs[i] = arena.allocate(Math.max(1, Math.max(t.byteSize(), p.elements() * p.dtype().byteSize())), 64);
        if (t.byteSize() > 0) segs[i].copyFrom(t.data());
        table.setAtIndex(ValueLayout.ADDRESS, i, segs[i]);
      }
      MethodHandle fn = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(addr.get()),
          FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
      MemorySegment dimTable = dims.length == 0 ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_LONG, dims);
      long extent = k.extent();
      // two calls over split ranges: the begin/end contract must hold for any split
      long mid = extent / 3;
      fn.invokeExact(table, dimTable, 0L, mid);
      fn.invokeExact(table, dimTable, mid, extent);
      for (int i = 0; i < segs.length; i++) {
        Tensor t = memory.get(k.params().get(i));
        if (t.byteSize() > 0) t.data().copyFrom(segs[i].asSlice(0, t.byteSize()));
      }
    } catch (Throwable e) {
      throw new AssertionError(e);
    } finally {
      LLVMOrcDisposeLLJIT(jit);
    }
  }

  private static void optimize(LLVMModuleRef m) {
    BytePointer triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef t = new LLVMTargetRef();
    BytePointer err = new BytePointer();
    if (LLVMGetTargetFromTriple(triple, t, err) != 0) throw new AssertionError(err.getString());
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(t, triple.getString(), LLVMGetHostCPUName().getString(),
        LLVMGetHostCPUFeatures().getString(), LLVMCodeGenLevelDefault, LLVMRelocDefault, LLVMCodeModelJITDefault);
    LLVMErrorRef e = LLVMRunPasses(m, "default<O2>", tm, LLVMCreatePassBuilderOptions());
    check(e);
    LLVMDisposeTargetMachine(tm);
  }

  private static void check(LLVMErrorRef e) {
    if (e != null && !e.isNull()) throw new AssertionError(LLVMGetErrorMessage(e).getString());
  }

  private HostJit() {}

}
