package dev.weft.codegen.target;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.FunctionAttributes;
import dev.weft.codegen.llvm.TargetSpec;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMetadataRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/** Attribute and metadata steps the targets share when they decorate kernels and helpers. */
public final class KernelAttributes {
  private KernelAttributes() {}

  /** target-cpu, target-features (when any) and nounwind: kernels never unwind, and the attribute lets LLVM drop unwind tables. */
  public static void targetAttributes(LLVMValueRef fn, TargetSpec spec) {
    FunctionAttributes.set(fn, "target-cpu", spec.cpu());
    if (!spec.features().isEmpty()) FunctionAttributes.set(fn, "target-features", spec.features());
    FunctionAttributes.addEnum(fn, "nounwind");
  }

  /** Appends {@code !{ptr fn, !"key", i32 value}} to the named metadata {@code listName} (nvvm.annotations). */
  public static void annotate(LLVMModuleRef m, String listName, LLVMValueRef fn, String key, int value) {
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    LLVMMetadataRef[] ops = {
        LLVMValueAsMetadata(fn),
        LLVMMDStringInContext2(ctx, key, key.length()),
        LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(ctx), value, 0))
    };
    try (PointerPointer<LLVMMetadataRef> p = new PointerPointer<>(ops)) {
      LLVMAddNamedMetadataOperand(m, listName, LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, p, ops.length)));
    }
  }

  /** Rejects a block size no GPU launches (1..1024 threads). */
  public static void checkBlockSize(String target, int blockSize) {
    if (blockSize < 1 || blockSize > 1024) {
      throw new IllegalArgumentException(target + ": block size must be 1..1024 threads, got " + blockSize);
    }
  }
}
