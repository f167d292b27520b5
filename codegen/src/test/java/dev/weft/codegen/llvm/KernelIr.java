package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.target.Target;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Hand-built kernel IR for tests, through the same C API the emitter uses: host kernels with
 * the docs/KERNELS.md ABI ({@code void f(void** buffers, const int64_t* dims, int64_t begin,
 * int64_t end)}) and GPU kernels ({@code (ptr addrspace(1) buf..., i64 extent)}) with a
 * grid-stride loop over the Target's work-item index.
 */
public final class KernelIr implements AutoCloseable {
  public final LLVMContextRef ctx;
  public final LLVMModuleRef module;
  public final LLVMBuilderRef b;
  public final LLVMTypeRef f32;
  public final LLVMTypeRef f64;
  public final LLVMTypeRef i32;
  public final LLVMTypeRef i64;
  private final OwnedModule owned;
  private LLVMValueRef fn;
  private Target gpuTarget;

  public KernelIr(String moduleName) {
    LlvmNative.ensureLoaded();
    ctx = LlvmContexts.create();
    module = LLVMModuleCreateWithNameInContext(moduleName, ctx);
    owned = new OwnedModule(ctx, module, true);
    b = LLVMCreateBuilderInContext(ctx);
    f32 = LLVMFloatTypeInContext(ctx);
    f64 = LLVMDoubleTypeInContext(ctx);
    i32 = LLVMInt32TypeInContext(ctx);
    i64 = LLVMInt64TypeInContext(ctx);
  }

  public LLVMValueRef function() { return fn; }

  /** Starts {@code void name(ptr buffers, ptr dims, i64 begin, i64 end)}; returns the loaded buffer base pointers. */
  public LLVMValueRef[] hostKernel(String name, int buffers) {
    LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
    fn = addFunction(name, LLVMVoidTypeInContext(ctx), ptr, ptr, i64, i64);
    entry();
    LLVMValueRef[] bases = new LLVMValueRef[buffers];
    for (int i = 0; i < buffers; i++) {
      LLVMValueRef slot = LLVMBuildInBoundsGEP2(b, ptr, LLVMGetParam(fn, 0), indices(c64(i)), 1, "slot" + i);
      bases[i] = LLVMBuildLoad2(b, ptr, slot, "buf" + i);
    }
    return bases;
  }

  /** Starts {@code kernel void name(ptr addrspace(g) buf..., i64 extent)} decorated for {@code target}. */
  public LLVMValueRef[] gpuKernel(Target target, String name, int buffers, int blockSize) {
    gpuTarget = target;
    LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, target.globalAddressSpace());
    LLVMTypeRef[] params = new LLVMTypeRef[buffers + 1];
    for (int i = 0; i < buffers; i++) params[i] = ptr;
    params[buffers] = i64;
    fn = addFunction(name, LLVMVoidTypeInContext(ctx), params);
    target.decorateKernel(module, fn, blockSize);
    entry();
    LLVMValueRef[] bases = new LLVMValueRef[buffers];
    for (int i = 0; i < buffers; i++) bases[i] = LLVMGetParam(fn, i);
    return bases;
  }

  /** Host: p in [begin, end). GPU: p from the work-item index, by the grid stride, while p < extent. */
  public void forEachWorkItem(Consumer<LLVMValueRef> body) {
    if (gpuTarget == null) {
      loop(LLVMGetParam(fn, 2), LLVMGetParam(fn, 3), c64(1), null, (p, acc) -> {
        body.accept(p);
        return null;
      });
    } else {
      LLVMValueRef start = gpuTarget.workItemIndex(b, module);
      LLVMValueRef stride = gpuTarget.workItemStride(b, module);
      LLVMValueRef extent = LLVMGetParam(fn, LLVMCountParams(fn) - 1);
      loop(start, extent, stride, null, (p, acc) -> {
        body.accept(p);
        return null;
      });
    }
  }

  /**
   * {@code for (iv = from; iv < to; iv += step) acc = body(iv, acc)}; returns the final acc
   * (null when {@code init} is null). Leaves the builder after the loop.
   */
  public LLVMValueRef loop(LLVMValueRef from, LLVMValueRef to, LLVMValueRef step, LLVMValueRef init,
                           BiFunction<LLVMValueRef, LLVMValueRef, LLVMValueRef> body) {
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(b);
    LLVMBasicBlockRef header = LLVMAppendBasicBlockInContext(ctx, fn, "loop");
    LLVMBasicBlockRef bodyBlock = LLVMAppendBasicBlockInContext(ctx, fn, "body");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, fn, "exit");
    LLVMBuildBr(b, header);
    LLVMPositionBuilderAtEnd(b, header);
    LLVMValueRef iv = LLVMBuildPhi(b, i64, "iv");
    LLVMValueRef acc = init == null ? null : LLVMBuildPhi(b, LLVMTypeOf(init), "acc");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, iv, to, ""), bodyBlock, exit);
    LLVMPositionBuilderAtEnd(b, bodyBlock);
    LLVMValueRef next = body.apply(iv, acc);
    LLVMValueRef ivNext = LLVMBuildNSWAdd(b, iv, step, "iv.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, header);
    incoming(iv, from, pre, ivNext, latch);
    if (acc != null) incoming(acc, init, pre, next, latch);
    LLVMPositionBuilderAtEnd(b, exit);
    return acc;
  }

  public LLVMValueRef load(LLVMTypeRef type, LLVMValueRef base, LLVMValueRef index) {
    return LLVMBuildLoad2(b, type, gep(type, base, index), "");
  }

  public void store(LLVMValueRef value, LLVMValueRef base, LLVMValueRef index) {
    LLVMBuildStore(b, value, gep(LLVMTypeOf(value), base, index));
  }

  public LLVMValueRef gep(LLVMTypeRef type, LLVMValueRef base, LLVMValueRef index) {
    return LLVMBuildInBoundsGEP2(b, type, base, indices(index), 1, "");
  }

  public LLVMValueRef c64(long v) { return LLVMConstInt(i64, v, 1); }

  public LLVMValueRef cf(double v) { return LLVMConstReal(f32, v); }

  public LLVMValueRef add(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildFAdd(b, x, y, ""); }

  public LLVMValueRef sub(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildFSub(b, x, y, ""); }

  public LLVMValueRef mul(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildFMul(b, x, y, ""); }

  public LLVMValueRef div(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildFDiv(b, x, y, ""); }

  public LLVMValueRef imul(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildNSWMul(b, x, y, ""); }

  public LLVMValueRef iadd(LLVMValueRef x, LLVMValueRef y) { return LLVMBuildNSWAdd(b, x, y, ""); }

  /** Ends the current function with {@code ret void}. */
  public void finish() { LLVMBuildRetVoid(b); }

  public LLVMValueRef addFunction(String name, LLVMTypeRef ret, LLVMTypeRef... params) {
    LLVMTypeRef type = LLVMFunctionType(ret, new PointerPointer<>(params), params.length, 0);
    fn = LLVMAddFunction(module, name, type);
    return fn;
  }

  public void entry() { LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry")); }

  public byte[] bitcode() { return LlvmToolchain.toBitcode(module); }

  public String ir() { return LlvmToolchain.printIr(module); }

  /** (A one-argument {@code new PointerPointer<>(p)} is JavaCPP's cast constructor, not a one-element array.) */
  private static PointerPointer<LLVMValueRef> indices(LLVMValueRef index) {
    return new PointerPointer<>(new LLVMValueRef[] {index});
  }

  private static void incoming(LLVMValueRef phi, LLVMValueRef v1, LLVMBasicBlockRef b1, LLVMValueRef v2, LLVMBasicBlockRef b2) {
    LLVMAddIncoming(phi, new PointerPointer<>(v1, v2), new PointerPointer<>(b1, b2), 2);
  }

  @Override
  public void close() {
    LLVMDisposeBuilder(b);
    owned.close();
  }
}
