package dev.weft.backend.cpu;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.CodegenException;
import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.Lld;
import dev.weft.codegen.llvm.LlvmContexts;
import dev.weft.codegen.llvm.LlvmNative;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.ReadObj;
import dev.weft.codegen.llvm.ToolRun;
import dev.weft.codegen.target.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Host kernels to {@code kernels.so}: each module optimized and compiled to an object (in
 * parallel, through the {@link Compiler}), plus {@code weft_abi_version} (first, compiled through
 * the same compiler, unoptimized), linked by the jar's ld.lld into a shared library that needs
 * no libm (undefined symbols fail the link). The compiler's CPU backend builds its bundles here,
 * so this is where their bytes come from: object order and names are part of them.
 */
public final class CpuToolchain {
  /** The value of {@code weft_abi_version} (docs/KERNELS.md). */
  public static final int ABI_VERSION = 1;
  /** The symbol, and the name of the request that compiles it. */
  public static final String ABI_SYMBOL = "weft_abi_version";
  public static final String LIBRARY = "kernels.so";

  private final Compiler compiler;
  private final Target target;

  public CpuToolchain(Compiler compiler, Target target) {
    if (target.gpu()) throw new IllegalArgumentException("CpuToolchain needs a host target, got " + target.name());
    this.compiler = compiler;
    this.target = target;
  }

  /** Builds {@code outputDir/kernels.so} from {@code kernels} (the directory is created if needed). */
  public CpuKernels build(List<KernelModule> kernels, Path outputDir) {
    Set<String> seen = new HashSet<>();
    for (KernelModule k : kernels) {
      KernelModule.checkName(k.name());
      if (!seen.add(k.name())) throw new CodegenException("kernel '" + k.name() + "' appears twice");
    }
    List<CompileRequest> requests = new ArrayList<>();
    requests.add(new CompileRequest(ABI_SYMBOL, target.spec(), abiVersionModule(), false, EmitKind.OBJECT));
    for (KernelModule k : kernels) requests.add(new CompileRequest(k.name(), target.spec(), k.bitcode(), true, EmitKind.OBJECT));
    List<CompileResult> objects = compiler.compileAll(requests);
    Path staging = null;
    try {
      Files.createDirectories(outputDir);
      staging = Files.createTempDirectory(outputDir, ".objects-");
      List<Path> inputs = new ArrayList<>();
      for (int i = 0; i < objects.size(); i++) {
        // Indexed names keep the link order that of the requests (the ABI object first).
        Path o = staging.resolve(String.format("k%05d.o", i));
        Files.write(o, objects.get(i).output());
        inputs.add(o);
      }
      Path library = outputDir.resolve(LIBRARY);
      ToolRun link = Lld.linkHostShared(inputs, library);
      List<String> exported = ReadObj.definedDynamicSymbols(library);
      for (KernelModule k : kernels) {
        if (!exported.contains(k.name())) {
          throw new CodegenException("kernel '" + k.name() + "' is not exported by " + library
              + " (its module defines no external function of that name)");
        }
      }
      return new CpuKernels(library, kernels.stream().map(KernelModule::name).toList(), objects.subList(1, objects.size()),
          link.millis());
    } catch (IOException e) {
      throw new CodegenException("cannot write host objects under " + outputDir + ": " + e.getMessage(), e);
    } finally {
      if (staging != null) deleteTree(staging);
    }
  }

  /** Bitcode of a module defining the exported {@code const int32_t weft_abi_version = 1}. */
  private byte[] abiVersionModule() {
    LlvmNative.ensureLoaded();
    LLVMContextRef ctx = LlvmContexts.create();
    try {
      LLVMModuleRef m = LLVMModuleCreateWithNameInContext("weft_abi", ctx);
      try {
        LlvmToolchain.configure(m, target.spec());
        LLVMValueRef g = LLVMAddGlobal(m, LLVMInt32TypeInContext(ctx), ABI_SYMBOL);
        LLVMSetInitializer(g, LLVMConstInt(LLVMInt32TypeInContext(ctx), ABI_VERSION, 0));
        LLVMSetGlobalConstant(g, 1);
        LLVMSetLinkage(g, LLVMExternalLinkage);
        return LlvmToolchain.toBitcode(m);
      } finally {
        LLVMDisposeModule(m);
      }
    } finally {
      LlvmContexts.dispose(ctx);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a staging directory left behind is harmless
    }
  }
}
