package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.llvm.LLVM.LLVMAttributeRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/** String and enum attributes on a function (the function index, not a parameter or the return value). */
public final class FunctionAttributes {
  private FunctionAttributes() {}

  /** Sets {@code "key"="value"} on {@code fn}, replacing a previous value. */
  public static void set(LLVMValueRef fn, String key, String value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, key, k.length);
    LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(fn));
    LLVMAttributeRef a = LLVMCreateStringAttribute(ctx, key, k.length, value, value.getBytes(StandardCharsets.UTF_8).length);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, a);
  }

  /** Sets {@code "key"="value"} unless the function already carries {@code key}. */
  public static void setIfAbsent(LLVMValueRef fn, String key, String value) {
    if (get(fn, key) == null) set(fn, key, value);
  }

  /** The value of string attribute {@code key}, or null when absent. */
  public static String get(LLVMValueRef fn, String key) {
    LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, key,
        key.getBytes(StandardCharsets.UTF_8).length);
    if (a == null || a.isNull()) return null;
    try (IntPointer length = new IntPointer(1)) {
      // Not NUL-terminated: read exactly the returned length.
      BytePointer value = LLVMGetStringAttributeValue(a, length);
      byte[] bytes = new byte[length.get()];
      value.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Adds an enum attribute without a value ("nounwind", "norecurse", ...). */
  public static void addEnum(LLVMValueRef fn, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    int kind = LLVMGetEnumAttributeKindForName(name, n.length);
    if (kind == 0) throw new IllegalArgumentException("LLVM has no enum attribute '" + name + "'");
    LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(fn));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, kind, 0));
  }
}
