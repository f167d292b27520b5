package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DimExpr;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.llvm.CodegenAbortException;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LinkedEmission;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.OwnedModule;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.llvm.WorkerPool;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.ir.text.WirParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPU targets' linked emission (backend-cuda/rocm) through the shared code generator: worker aborts named, bytes as in-process. */
class GpuCodegenWorkersTest {
  /** Reads %clusterid, which exists from sm_90 on: on sm_80 instruction selection aborts ("Cannot select"). */
  static final String CLUSTER_ID_KERNEL = """
      declare i32 @llvm.nvvm.read.ptx.sreg.clusterid.x()
      define ptx_kernel void @weft_cluster(ptr addrspace(1) %p) {
        %r = call i32 @llvm.nvvm.read.ptx.sreg.clusterid.x()
        store i32 %r, ptr addrspace(1) %p
        ret void
      }
      """;

  static final String COPY_KERNEL = """
      define ptx_kernel void @weft_copy(ptr addrspace(1) %p, ptr addrspace(1) %q) {
        %x = load float, ptr addrspace(1) %p
        store float %x, ptr addrspace(1) %q
        ret void
      }
      """;

  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void remember() {
    for (String k : List.of("weft.codegen", "weft.cache", "weft.reproducers")) saved.put(k, System.getProperty(k));
  }

  @AfterEach
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) System.clearProperty(k);
      else System.setProperty(k, v);
    });
    Codegen.closeShared();
  }

  private static List<KernelModule> modules(List<String> names, List<byte[]> bitcode) {
    return List.of(new KernelModule(names.get(0), bitcode.get(0)), new KernelModule(names.get(1), bitcode.get(1)));
  }

  private static byte[] bitcode(String ir, String name) {
    try (OwnedModule m = LlvmToolchain.parseIr(ir, name)) {
      return LlvmToolchain.toBitcode(m.module());
    }
  }

  @Test
  void anIselAbortInTheLinkedModuleNamesTheCulpritKernelItsGroupAndNodes(@TempDir Path repro) throws Exception {
    System.setProperty("weft.codegen", "workers");
    System.setProperty("weft.reproducers", repro.toString());
    Codegen.closeShared();
    TargetSpec sm80 = TargetSpec.nvptx("sm_80");
    List<String> names = List.of("weft_copy", "weft_cluster");
    List<byte[]> bitcode = List.of(bitcode(COPY_KERNEL, "weft_copy"), bitcode(CLUSTER_ID_KERNEL, "weft_cluster"));

    CodegenAbortException e = assertThrows(CodegenAbortException.class,
        () -> LinkedEmission.emit(Codegen.shared(), modules(names, bitcode), sm80, EmitKind.ASSEMBLY, "kernels"));
    assertEquals("weft_cluster", e.kernel(), "the culprit, found by compiling each kernel alone: " + e.getMessage());
    assertEquals(134, e.exitCode(), "SIGABRT from report_fatal_error");
    assertTrue(e.getMessage().contains("Cannot select"), "LLVM's own words: " + e.getMessage());
    String ir = Files.readString(e.reproducer());
    assertTrue(ir.contains("@llvm.nvvm.read.ptx.sreg.clusterid.x()") && ir.contains("-mcpu=sm_80"), ir);
    assertFalse(ir.contains("@weft_copy"), "the reproducer holds the culprit alone");
    assertEquals(repro.resolve("weft-reproducers"), e.reproducer().getParent());
    assertEquals(1, e.getSuppressed().length, "the linked module's own abort rides along");

    List<Step> steps = List.of(
        new Step.Launch("weft_copy", List.of("a", "b"), List.of(), DimExpr.of(1), null, "g0", List.of("identity %y")),
        new Step.Launch("weft_cluster", List.of("a"), List.of(), DimExpr.of(1), null, "g1", List.of("add %s", "relu %r")));
    WeftException named = KernelAbortException.of(e, steps);
    KernelAbortException k = assertInstanceOf(KernelAbortException.class, named);
    System.out.println("[weft] GPU worker abort reported as: " + named.getMessage().replace("\n", "\n[weft]   "));
    assertTrue(named.getMessage().startsWith("kernel weft_cluster of fused group g1 (source nodes: add %s; relu %r): "),
        named.getMessage());
    assertTrue(named.getMessage().contains("reproducer: " + e.reproducer()), named.getMessage());
    assertEquals(e.reproducer(), k.reproducer());

    // The pool replaced its dead workers: the module without the culprit compiles.
    String ptx = new String(LinkedEmission.emit(Codegen.shared(), modules(names, bitcode).subList(0, 1), sm80, EmitKind.ASSEMBLY,
        "kernels").bytes());
    assertTrue(ptx.contains(".entry weft_copy("), ptx);
  }

  @Test
  void workersEmitTheSamePtxAndHsacoAsInProcessForMlpAndGpt() {
    Path mlp = Path.of(System.getProperty("weft.root", ".."), "examples", "mlp", "model.wir");
    Path gpt = Path.of(System.getProperty("weft.corpus", "../shared/corpus"), "models", "gpt", "gpt_opset17.onnx");
    Assumptions.assumeTrue(Files.isRegularFile(mlp), "SKIPPED: no " + mlp);
    Assumptions.assumeTrue(Files.isRegularFile(gpt), "SKIPPED: no gpt in the corpus at " + gpt + " (set -Dweft.corpus)");
    System.setProperty("weft.cache", "off");
    Map<String, Supplier<Module>> models = Map.of("mlp", () -> parse(mlp), "gpt", () -> OnnxImporter.importModel(OnnxModelReader.read(gpt)));
    Map<String, ShapeProfile> shapes = Map.of("mlp", ShapeProfile.parse("x=4x16"), "gpt", ShapeProfile.NONE);
    for (String target : List.of("cuda:sm_90", "rocm:gfx942")) {
      for (var model : models.entrySet()) {
        Map<String, byte[]> inProcess = images("in-process", model.getValue().get(), target, shapes.get(model.getKey()));
        Map<String, byte[]> workers = images("workers", model.getValue().get(), target, shapes.get(model.getKey()));
        WorkerPool pool = assertInstanceOf(WorkerPool.class, Codegen.shared());
        assertTrue(pool.requestsServed() > 0, "the worker-mode compile of " + model.getKey() + " used the pool");
        assertEquals(inProcess.keySet(), workers.keySet(), model.getKey() + " " + target);
        for (String file : inProcess.keySet()) {
          assertArrayEquals(inProcess.get(file), workers.get(file), model.getKey() + " " + target + " " + file + " differs between modes");
        }
      }
    }
  }

  private static Module parse(Path wir) {
    try {
      return new WirParser().parse(wir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The rank's compiled files by name, from a compile in {@code mode} (the shared compiler recreated in it). */
  private static Map<String, byte[]> images(String mode, Module module, String target, ShapeProfile shapes) {
    System.setProperty("weft.codegen", mode);
    Codegen.closeShared();
    CompileOptions options = new CompileOptions(target, shapes, null, "fp32", null);
    Compiler.Compilation c = Compiler.compile(module, options, null);
    Map<String, byte[]> out = new HashMap<>();
    for (KernelBackend.Image i : c.built().images()) out.put(i.file(), i.bytes());
    assertFalse(out.isEmpty(), target + ": no images");
    return out;
  }
}
