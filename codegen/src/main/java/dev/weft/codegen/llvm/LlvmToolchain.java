package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * The LLVM operations every backend needs, on modules built through the C API: target machine,
 * verification, the O3 pipeline, object/assembly emission, and the IR and bitcode forms that
 * move a module between processes.
 *
 * <p>Everything that hands a module to LLVM's optimizer or code generator first checks it in
 * Java: triple matches the spec, the verifier accepts it, and {@link IntrinsicPreflight} finds
 * no call that this target cannot select (an isel failure aborts the process).
 */
public final class LlvmToolchain {
  /** The optimization pipeline Weft runs on every kernel module. */
  public static final String PIPELINE = "default<O3>";

  private LlvmToolchain() {}

  /** A target machine for {@code spec}; the caller closes it. */
  public static LlvmTargetMachine targetMachine(TargetSpec spec) {
    LlvmNative.ensureLoaded();
    spec.arch(); // rejects triples Weft does not emit for, before LLVM sees them
    LLVMTargetRef target = new LLVMTargetRef();
    BytePointer error = new BytePointer((Pointer) null);
    try (BytePointer triple = utf8(spec.triple())) {
      if (LLVMGetTargetFromTriple(triple, target, error) != 0) {
        throw new CodegenException("LLVM has no target for triple '" + spec.triple() + "': " + take(error));
      }
    }
    // Host objects go into a shared library, hence PIC; GPU code objects are position independent by construction.
    int reloc = spec.gpu() ? LLVMRelocDefault : LLVMRelocPIC;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, spec.triple(), spec.cpu(), spec.features(),
        LLVMCodeGenLevelAggressive, reloc, LLVMCodeModelDefault);
    if (tm == null || tm.isNull()) throw new CodegenException("LLVM could not create a target machine for " + spec);
    return new LlvmTargetMachine(spec, tm);
  }

  /** Sets the module's triple and data layout for {@code spec}. */
  public static void configure(LLVMModuleRef module, TargetSpec spec) {
    try (LlvmTargetMachine tm = targetMachine(spec)) {
      configure(module, tm);
    }
  }

  static void configure(LLVMModuleRef module, LlvmTargetMachine tm) {
    LLVMSetTarget(module, tm.spec().triple());
    LLVMSetDataLayout(module, tm.dataLayout());
  }

  /**
   * Configures a module that has no triple yet; a module already built for another triple is an
   * error (its address spaces and calling conventions belong to that target).
   */
  static void adopt(LLVMModuleRef module, LlvmTargetMachine tm) {
    String triple = string(LLVMGetTarget(module), false);
    if (!triple.isEmpty() && !triple.equals(tm.spec().triple())) {
      throw new CodegenException("module '" + name(module) + "' was built for " + triple
          + ", not for " + tm.spec().triple());
    }
    configure(module, tm);
  }

  /** Runs the IR verifier; throws {@link IrVerificationException} with its message. */
  public static void verify(LLVMModuleRef module) {
    BytePointer error = new BytePointer((Pointer) null);
    if (LLVMVerifyModule(module, LLVMReturnStatusAction, error) != 0) {
      throw new IrVerificationException("module '" + name(module) + "' is not valid LLVM IR: " + take(error).strip());
    }
    if (!error.isNull()) LLVMDisposeMessage(error);
  }

  /** Gives every function definition target-cpu/target-features attributes unless it has its own. */
  public static void stampTargetAttributes(LLVMModuleRef module, TargetSpec spec) {
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f != null && !f.isNull(); f = LLVMGetNextFunction(f)) {
      if (LLVMIsDeclaration(f) != 0) continue;
      FunctionAttributes.setIfAbsent(f, "target-cpu", spec.cpu());
      if (!spec.features().isEmpty()) FunctionAttributes.setIfAbsent(f, "target-features", spec.features());
    }
  }

  /**
   * Runs {@value #PIPELINE} with the target machine, so the vectorizer and unroller see the
   * target's cost model and vector widths.
   */
  public static void optimize(LLVMModuleRef module, TargetSpec spec) {
    try (LlvmTargetMachine tm = targetMachine(spec)) {
      optimize(module, tm);
    }
  }

  static void optimize(LLVMModuleRef module, LlvmTargetMachine tm) {
    prepare(module, tm);
    LLVMPassBuilderOptionsRef options = LLVMCreatePassBuilderOptions();
    try {
      // The C API's defaults leave SLP vectorization off (clang turns it on at -O2 and up).
      LLVMPassBuilderOptionsSetLoopVectorization(options, 1);
      LLVMPassBuilderOptionsSetSLPVectorization(options, 1);
      LLVMPassBuilderOptionsSetLoopInterleaving(options, 1);
      LLVMPassBuilderOptionsSetLoopUnrolling(options, 1);
      LLVMErrorRef error = LLVMRunPasses(module, PIPELINE, tm.ref(), options);
      if (error != null && !error.isNull()) {
        throw new CodegenException("LLVM pipeline " + PIPELINE + " failed on module '" + name(module) + "': "
            + take(LLVMGetErrorMessage(error)));
      }
    } finally {
      LLVMDisposePassBuilderOptions(options);
    }
    LlvmContexts.throwIfErrors(LLVMGetModuleContext(module), "optimizing module '" + name(module) + "'");
  }

  /** ELF object code. Code generation rewrites the module in place (CodeGenPrepare): emit from a copy to emit twice. */
  public static byte[] emitObject(LLVMModuleRef module, TargetSpec spec) {
    try (LlvmTargetMachine tm = targetMachine(spec)) {
      return emit(module, tm, LLVMObjectFile);
    }
  }

  /** Assembly text: PTX on nvptx, AMDGPU or x86 assembly otherwise. */
  public static String emitAssembly(LLVMModuleRef module, TargetSpec spec) {
    try (LlvmTargetMachine tm = targetMachine(spec)) {
      return new String(emit(module, tm, LLVMAssemblyFile), StandardCharsets.UTF_8);
    }
  }

  static byte[] emit(LLVMModuleRef module, LlvmTargetMachine tm, int fileType) {
    prepare(module, tm);
    BytePointer error = new BytePointer((Pointer) null);
    LLVMMemoryBufferRef out = new LLVMMemoryBufferRef();
    if (LLVMTargetMachineEmitToMemoryBuffer(tm.ref(), module, fileType, error, out) != 0) {
      throw new CodegenException("LLVM could not emit module '" + name(module) + "' for "
          + tm.spec().shortName() + ": " + take(error));
    }
    byte[] bytes = bytes(out);
    LlvmContexts.throwIfErrors(LLVMGetModuleContext(module),
        "emitting module '" + name(module) + "' for " + tm.spec().shortName());
    return bytes;
  }

  /** The checks that keep a bad module from reaching LLVM's optimizer or code generator. */
  static void prepare(LLVMModuleRef module, LlvmTargetMachine tm) {
    LlvmContexts.watch(LLVMGetModuleContext(module));
    adopt(module, tm);
    verify(module);
    IntrinsicPreflight.check(module, tm.spec());
    stampTargetAttributes(module, tm.spec());
  }

  /** Parses textual IR into a new context owned by the result (module name "module"). */
  public static OwnedModule parseIr(String text) { return parseIr(text, "module"); }

  /** Parses textual IR into a new context owned by the result. */
  public static OwnedModule parseIr(String text, String name) {
    LLVMContextRef ctx = LlvmContexts.create();
    try {
      return new OwnedModule(ctx, parseIr(ctx, text, name), true);
    } catch (RuntimeException e) {
      LlvmContexts.dispose(ctx);
      throw e;
    }
  }

  /** Parses textual IR into {@code ctx}. */
  public static LLVMModuleRef parseIr(LLVMContextRef ctx, String text, String name) {
    LlvmContexts.watch(ctx);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    LLVMMemoryBufferRef buffer = buffer(bytes, name);
    LLVMModuleRef module = new LLVMModuleRef();
    BytePointer error = new BytePointer((Pointer) null);
    // LLVMParseIRInContext takes ownership of the buffer, also when it fails.
    if (LLVMParseIRInContext(ctx, buffer, module, error) != 0) {
      throw new CodegenException("cannot parse LLVM IR '" + name + "': " + take(error));
    }
    LlvmContexts.throwIfErrors(ctx, "parsing LLVM IR '" + name + "'");
    return module;
  }

  /** Serializes a module to bitcode (the form requests to worker processes carry). */
  public static byte[] toBitcode(LLVMModuleRef module) {
    return bytes(LLVMWriteBitcodeToMemoryBuffer(module));
  }

  /** Reads bitcode into a new context owned by the result (module name "module"). */
  public static OwnedModule parseBitcode(byte[] bitcode) { return parseBitcode(bitcode, "module"); }

  /** Reads bitcode into a new context owned by the result. */
  public static OwnedModule parseBitcode(byte[] bitcode, String name) {
    LLVMContextRef ctx = LlvmContexts.create();
    try {
      return new OwnedModule(ctx, parseBitcode(ctx, bitcode, name), true);
    } catch (RuntimeException e) {
      LlvmContexts.dispose(ctx);
      throw e;
    }
  }

  /** Reads bitcode into {@code ctx}. */
  public static LLVMModuleRef parseBitcode(LLVMContextRef ctx, byte[] bitcode, String name) {
    if (bitcode.length < 4 || !(bitcode[0] == 'B' && bitcode[1] == 'C')) {
      throw new CodegenException("'" + name + "' is not LLVM bitcode (" + bitcode.length + " bytes, no 'BC' magic)");
    }
    LlvmContexts.watch(ctx);
    LLVMMemoryBufferRef buffer = buffer(bitcode, name);
    try {
      LLVMModuleRef module = new LLVMModuleRef();
      BytePointer error = new BytePointer((Pointer) null);
      // The variant with an error message: LLVMParseBitcodeInContext2 routes errors to the
      // context's diagnostic handler, whose default exits the process.
      if (LLVMParseBitcodeInContext(ctx, buffer, module, error) != 0) {
        throw new CodegenException("cannot read bitcode '" + name + "': " + take(error));
      }
      LlvmContexts.throwIfErrors(ctx, "reading bitcode '" + name + "'");
      return module;
    } finally {
      LLVMDisposeMemoryBuffer(buffer);
    }
  }

  /** Links bitcode modules into one (internal symbols that collide are renamed by the linker). */
  public static OwnedModule link(List<byte[]> bitcodes, List<String> names, String linkedName) {
    if (bitcodes.isEmpty()) throw new IllegalArgumentException("nothing to link");
    LLVMContextRef ctx = LlvmContexts.create();
    LLVMModuleRef dest = null;
    try {
      dest = parseBitcode(ctx, bitcodes.get(0), names.get(0));
      LLVMSetModuleIdentifier(dest, linkedName, linkedName.getBytes(StandardCharsets.UTF_8).length);
      for (int i = 1; i < bitcodes.size(); i++) {
        LLVMModuleRef src = parseBitcode(ctx, bitcodes.get(i), names.get(i));
        // LLVMLinkModules2 destroys src in every case.
        if (LLVMLinkModules2(dest, src) != 0) {
          List<String> errors = LlvmContexts.takeErrors(ctx);
          throw new CodegenException("cannot link kernel module '" + names.get(i) + "' into '" + linkedName + "': "
              + (errors.isEmpty() ? "LLVM reported no reason" : String.join("; ", errors)));
        }
        LlvmContexts.throwIfErrors(ctx, "linking '" + names.get(i) + "' into '" + linkedName + "'");
      }
      return new OwnedModule(ctx, dest, true);
    } catch (RuntimeException e) {
      if (dest != null) LLVMDisposeModule(dest);
      LlvmContexts.dispose(ctx);
      throw e;
    }
  }

  /** The module as LLVM IR text. */
  public static String printIr(LLVMModuleRef module) {
    return take(LLVMPrintModuleToString(module));
  }

  /** The module's identifier (the name given when it was created or parsed). */
  public static String name(LLVMModuleRef module) {
    try (SizeTPointer length = new SizeTPointer(1)) {
      BytePointer id = LLVMGetModuleIdentifier(module, length);
      return id == null || id.isNull() ? "" : id.getString(StandardCharsets.UTF_8);
    }
  }

  static byte[] bytes(LLVMMemoryBufferRef buffer) {
    try {
      long size = LLVMGetBufferSize(buffer);
      if (size > Integer.MAX_VALUE - 16) throw new CodegenException("LLVM output of " + size + " bytes is too large");
      byte[] out = new byte[(int) size];
      LLVMGetBufferStart(buffer).get(out);
      return out;
    } finally {
      LLVMDisposeMemoryBuffer(buffer);
    }
  }

  private static LLVMMemoryBufferRef buffer(byte[] bytes, String name) {
    try (BytePointer data = new BytePointer(bytes.length == 0 ? 1 : bytes.length);
         BytePointer bufferName = utf8(name)) {
      data.put(bytes);
      return LLVMCreateMemoryBufferWithMemoryRangeCopy(data, bytes.length, bufferName);
    }
  }

  static BytePointer utf8(String s) { return new BytePointer(s, StandardCharsets.UTF_8); }

  /** Reads and frees an LLVM-allocated message. */
  static String take(BytePointer message) { return string(message, true); }

  private static String string(BytePointer p, boolean dispose) {
    if (p == null || p.isNull()) return "";
    try {
      return p.getString(StandardCharsets.UTF_8);
    } finally {
      if (dispose) LLVMDisposeMessage(p);
    }
  }
}
