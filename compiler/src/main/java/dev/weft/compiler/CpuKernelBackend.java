package dev.weft.compiler;

import dev.weft.bundle.WeftException;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.Lld;
import dev.weft.codegen.target.Target;
import dev.weft.compiler.cache.KernelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Host kernels: one object per kernel, optimized at O3 for the host CPU, linked into kernels.so.
 * Objects come from the kernel cache when their unoptimized bitcode was compiled before.
 */
final class CpuKernelBackend extends LlvmKernelBackend {
  private final String name;

  CpuKernelBackend(String name, Target target) {
    super(target);
    this.name = name;
  }

  @Override public String target() { return name; }

  @Override public String kind() { return "cpu"; }

  @Override public String arch() { return "x86_64"; }

  @Override
  public Built build(List<Kernel> kernels, CompileProgress progress) {
    List<byte[]> bitcode = bitcode(kernels);
    List<CompileRequest> requests = new ArrayList<>();
    CompileRequest abi = new CompileRequest("weft_abi_version", target.spec(), abiModule(), false, EmitKind.OBJECT);
    requests.add(abi);
    for (int i = 0; i < kernels.size(); i++) {
      requests.add(new CompileRequest(kernels.get(i).name(), target.spec(), bitcode.get(i), true, EmitKind.OBJECT));
    }
    KernelCache cache = KernelCache.open();
    List<CompileResult> objects;
    try {
      KernelTally tally = new KernelTally(kernels.size(), progress);
      tally.start();
      objects = Codegen.compileAll(requests, name, cache, (r, cached) -> {
        if (r != abi) tally.done(cached);
      });
    } finally {
      cache.finishBuild();
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("weft-link");
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < objects.size(); i++) {
        Path o = dir.resolve(String.format("k%05d.o", i));
        Files.write(o, objects.get(i).output());
        files.add(o);
      }
      Path so = dir.resolve("kernels.so");
      Lld.linkHostShared(files, so).requireSuccess("ld.lld");
      byte[] bytes = Files.readAllBytes(so);
      Map<String, String> tool = new TreeMap<>();
      tool.put("llvm", "20.1.7");
      tool.put("cpu", target.spec().cpu());
      Map<String, String> notes = new TreeMap<>();
      for (CompileResult r : objects.subList(1, objects.size())) notes.put(r.kernel(), Codegen.cacheNote(r));  // [0] is the ABI object, not a kernel
      return new Built(List.of(new Image("kernels.so", "so", arch(), bytes)), notes, tool);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) deleteTree(dir);
    }
  }

  /** The exported {@code i32 weft_abi_version = 1} the runtime checks before trusting the library (docs/KERNELS.md). */
  private byte[] abiModule() {
    dev.weft.codegen.llvm.LlvmNative.ensureLoaded();
    org.bytedeco.llvm.LLVM.LLVMContextRef ctx = dev.weft.codegen.llvm.LlvmContexts.create();
    try {
      var m = org.bytedeco.llvm.global.LLVM.LLVMModuleCreateWithNameInContext("weft_abi", ctx);
      dev.weft.codegen.llvm.LlvmToolchain.configure(m, target.spec());
      var i32 = org.bytedeco.llvm.global.LLVM.LLVMInt32TypeInContext(ctx);
      var g = org.bytedeco.llvm.global.LLVM.LLVMAddGlobal(m, i32, "weft_abi_version");
      org.bytedeco.llvm.global.LLVM.LLVMSetInitializer(g, org.bytedeco.llvm.global.LLVM.LLVMConstInt(i32, 1, 0));
      org.bytedeco.llvm.global.LLVM.LLVMSetGlobalConstant(g, 1);
      byte[] bc = dev.weft.codegen.llvm.LlvmToolchain.toBitcode(m);
      org.bytedeco.llvm.global.LLVM.LLVMDisposeModule(m);
      return bc;
    } finally {
      dev.weft.codegen.llvm.LlvmContexts.dispose(ctx);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new WeftException("cannot clean " + dir + ": " + e.getMessage(), e);
    }
  }
}
