package dev.weft.codegen.target;

import static org.bytedeco.llvm.global.LLVM.*;

import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/** Calls to LLVM intrinsics by name, declared with LLVM's own signature and attributes. */
public final class Intrinsics {
  private Intrinsics() {}

  /**
   * Emits {@code call @<name>(args)}. {@code overloads} are the types an overloaded intrinsic is
   * instantiated at (f32 for llvm.fabs.f32); empty for fixed ones like llvm.nvvm.read.ptx.sreg.tid.x.
   */
  public static LLVMValueRef call(LLVMBuilderRef b, LLVMModuleRef m, String name, LLVMTypeRef[] overloads,
                                  LLVMValueRef... args) {
    int id = LLVMLookupIntrinsicID(name, name.getBytes(StandardCharsets.UTF_8).length);
    if (id == 0) throw new IllegalArgumentException("LLVM has no intrinsic '" + name + "'");
    try (PointerPointer<LLVMTypeRef> types = new PointerPointer<>(overloads);
         PointerPointer<LLVMValueRef> argv = new PointerPointer<>(args)) {
      LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m, id, types, overloads.length);
      LLVMTypeRef fnType = LLVMIntrinsicGetType(LLVMGetModuleContext(m), id, types, overloads.length);
      return LLVMBuildCall2(b, fnType, fn, argv, args.length, "");
    }
  }

  /** A call to a non-overloaded intrinsic without arguments (special registers). */
  public static LLVMValueRef read(LLVMBuilderRef b, LLVMModuleRef m, String name) {
    return call(b, m, name, new LLVMTypeRef[0]);
  }
}
