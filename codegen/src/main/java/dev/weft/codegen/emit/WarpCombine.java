package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.CooperativePlan;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.target.Target;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Combines the lanes' partials of one cooperative reduction so that every thread of the work
 * item holds the result, in the order {@link CooperativePlan} documents: a butterfly within the
 * warp (masks warpSize/2 down to 1), then, when a block shares the item, one shared-memory
 * slot per warp between two barriers, folded in warp order. Only the Target's warp primitives
 * are used, so NVPTX and AMDGPU differ only in what those emit.
 */
final class WarpCombine {
  private final Target target;
  private final LLVMModuleRef module;
  private final LLVMBuilderRef b;
  private final ScalarEmitter scalars;
  private final CooperativePlan plan;
  private final LLVMValueRef function;
  private int slots;

  WarpCombine(Target target, LLVMModuleRef module, LLVMBuilderRef b, ScalarEmitter scalars, CooperativePlan plan, LLVMValueRef function) {
    this.target = target;
    this.module = module;
    this.b = b;
    this.scalars = scalars;
    this.plan = plan;
    this.function = function;
  }

  /** The item's {@code op}-reduction of every lane's {@code partial} (compute type of {@code t}), in every lane. */
  LLVMValueRef combine(ReduceOp op, DType t, LLVMValueRef partial) {
    LLVMValueRef acc = partial;
    for (int mask = plan.warpSize() / 2; mask >= 1; mask >>= 1) {
      acc = scalars.combine(op, t, acc, target.shuffleXor(b, module, acc, mask));
    }
    return plan.warps() == 1 ? acc : acrossWarps(op, t, acc);
  }

  private LLVMValueRef acrossWarps(ReduceOp op, DType t, LLVMValueRef warpResult) {
    LLVMContextRef ctx = LLVMGetModuleContext(module);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    LLVMTypeRef type = LLVMTypeOf(warpResult);
    LLVMValueRef slot = target.sharedArray(module, type, plan.warps(), "weft.warp.partials." + slots++);
    LLVMValueRef thread = target.threadInBlock(b, module);
    LLVMValueRef warpSize = LLVMConstInt(i64, plan.warpSize(), 0);
    LLVMValueRef warp = LLVMBuildUDiv(b, thread, warpSize, "warp");
    LLVMValueRef first = LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildURem(b, thread, warpSize, "lane.in.warp"), LLVMConstInt(i64, 0, 0), "warp.leader");
    LLVMBasicBlockRef write = LLVMAppendBasicBlockInContext(ctx, function, "warp.write");
    LLVMBasicBlockRef written = LLVMAppendBasicBlockInContext(ctx, function, "warp.written");
    LLVMBuildCondBr(b, first, write, written);
    LLVMPositionBuilderAtEnd(b, write);
    LLVMBuildStore(b, warpResult, element(type, slot, warp));
    LLVMBuildBr(b, written);
    LLVMPositionBuilderAtEnd(b, written);
    target.barrier(b, module);
    LLVMValueRef acc = LLVMBuildLoad2(b, type, element(type, slot, LLVMConstInt(i64, 0, 0)), "warp0");
    for (int w = 1; w < plan.warps(); w++) {
      acc = scalars.combine(op, t, acc, LLVMBuildLoad2(b, type, element(type, slot, LLVMConstInt(i64, w, 0)), "warp" + w));
    }
    // Every thread has read the slots before any may overwrite them for the next item.
    target.barrier(b, module);
    return acc;
  }

  private LLVMValueRef element(LLVMTypeRef type, LLVMValueRef array, LLVMValueRef index) {
    try (PointerPointer<LLVMValueRef> idx = new PointerPointer<>(new LLVMValueRef[] {index})) {
      return LLVMBuildGEP2(b, type, array, idx, 1, "slot");
    }
  }
}
