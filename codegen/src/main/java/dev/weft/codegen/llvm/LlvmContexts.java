package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMDiagnosticHandler;
import org.bytedeco.llvm.LLVM.LLVMDiagnosticInfoRef;

/**
 * LLVM contexts whose error diagnostics are collected instead of ending the process. Without a
 * handler, LLVMContext::diagnose prints an error (a backend's "unsupported call", a linker
 * conflict, a malformed bitcode record) and calls exit(1), which takes the JVM with it. With
 * one, the error is recorded here and the operation that caused it throws a
 * {@link CodegenException} carrying LLVM's text. (report_fatal_error, e.g. an instruction
 * selection failure, still aborts: that is what {@link WorkerPool} isolates.)
 */
public final class LlvmContexts {
  /** Errors per context address; entries exist only between an error and its {@link #takeErrors}. */
  private static final Map<Long, List<String>> ERRORS = new ConcurrentHashMap<>();

  /**
   * Held in a static field: JavaCPP frees the native thunk when the Java object is collected.
   * In a holder class: creating it loads the LLVM natives, which must happen inside
   * {@link LlvmNative#ensureLoaded()} (it measures the load).
   */
  private static final class Holder {
    static final LLVMDiagnosticHandler HANDLER = new LLVMDiagnosticHandler() {
      @Override
      public void call(LLVMDiagnosticInfoRef info, Pointer context) {
        if (LLVMGetDiagInfoSeverity(info) != LLVMDSError) return;
        BytePointer text = LLVMGetDiagInfoDescription(info);
        String message;
        try {
          message = text.getString();
        } finally {
          LLVMDisposeMessage(text);
        }
        ERRORS.compute(context.address(), (k, list) -> {
          List<String> l = list == null ? new ArrayList<>() : list;
          l.add(message);
          return l;
        });
      }
    };
  }

  private LlvmContexts() {}

  /** A new context with the collecting handler installed. Dispose it with {@link #dispose}. */
  public static LLVMContextRef create() {
    LlvmNative.ensureLoaded();
    LLVMContextRef ctx = LLVMContextCreate();
    watch(ctx);
    return ctx;
  }

  /** Installs the collecting handler on a context created elsewhere (idempotent). */
  public static void watch(LLVMContextRef ctx) {
    LlvmNative.ensureLoaded();
    LLVMContextSetDiagnosticHandler(ctx, Holder.HANDLER, ctx);
  }

  /** Removes and returns the errors LLVM reported on {@code ctx} since the last call. */
  public static List<String> takeErrors(LLVMContextRef ctx) {
    List<String> errors = ERRORS.remove(ctx.address());
    return errors == null ? List.of() : List.copyOf(errors);
  }

  /** Throws a {@link CodegenException} naming {@code what} when LLVM reported errors on {@code ctx}. */
  public static void throwIfErrors(LLVMContextRef ctx, String what) {
    List<String> errors = takeErrors(ctx);
    if (!errors.isEmpty()) throw new CodegenException(what + ": " + String.join("; ", errors));
  }

  public static void dispose(LLVMContextRef ctx) {
    ERRORS.remove(ctx.address());
    LLVMContextDispose(ctx);
  }
}
