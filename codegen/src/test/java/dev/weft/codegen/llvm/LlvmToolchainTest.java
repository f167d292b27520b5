package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlvmToolchainTest {
  /** A PTX kernel written as text: c[p] = a[p] + b[p] for one thread per element. */
  static final String NVPTX_ADD = """
      declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
      declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
      declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
      define ptx_kernel void @weft_add(ptr addrspace(1) %a, ptr addrspace(1) %b, ptr addrspace(1) %c, i64 %n) {
      entry:
        %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
        %bi = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
        %bd = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
        %m = mul i32 %bi, %bd
        %p32 = add i32 %m, %t
        %p = zext i32 %p32 to i64
        %ok = icmp slt i64 %p, %n
        br i1 %ok, label %body, label %exit
      body:
        %pa = getelementptr float, ptr addrspace(1) %a, i64 %p
        %pb = getelementptr float, ptr addrspace(1) %b, i64 %p
        %pc = getelementptr float, ptr addrspace(1) %c, i64 %p
        %x = load float, ptr addrspace(1) %pa
        %y = load float, ptr addrspace(1) %pb
        %z = fadd float %x, %y
        store float %z, ptr addrspace(1) %pc
        br label %exit
      exit:
        ret void
      }
      """;

  @Test
  void irAndBitcodeRoundTrip() {
    try (OwnedModule m = LlvmToolchain.parseIr(NVPTX_ADD, "add.ll")) {
      String printed = LlvmToolchain.printIr(m.module());
      assertTrue(printed.contains("define ptx_kernel void @weft_add"), printed);
      byte[] bc = LlvmToolchain.toBitcode(m.module());
      assertEquals('B', bc[0]);
      try (OwnedModule back = LlvmToolchain.parseBitcode(bc, "add.bc")) {
        // The bitcode keeps source_filename "add.ll"; only the module ID is the new name.
        assertEquals(printed, LlvmToolchain.printIr(back.module()).replace("ModuleID = 'add.bc'", "ModuleID = 'add.ll'"));
      }
    }
  }

  @Test
  void badTextAndBitcodeAreTypedErrors() {
    CodegenException e = assertThrows(CodegenException.class, () -> LlvmToolchain.parseIr("define void @f( {", "bad.ll"));
    assertTrue(e.getMessage().contains("bad.ll"), e.getMessage());
    assertThrows(CodegenException.class, () -> LlvmToolchain.parseBitcode(new byte[] {1, 2, 3, 4}, "x.bc"));
    byte[] bc;
    try (OwnedModule m = LlvmToolchain.parseIr(NVPTX_ADD, "add.ll")) {
      bc = LlvmToolchain.toBitcode(m.module());
    }
    byte[] truncated = java.util.Arrays.copyOf(bc, bc.length / 2);
    CodegenException t = assertThrows(CodegenException.class, () -> LlvmToolchain.parseBitcode(truncated, "cut.bc"));
    assertTrue(t.getMessage().contains("cut.bc"), t.getMessage());
  }

  @Test
  void verifierMessageBecomesTypedException() {
    try (KernelIr ir = new KernelIr("broken")) {
      ir.hostKernel("weft_broken", 1);
      // No terminator in the entry block: parses nowhere, but the C API builds it.
      IrVerificationException e = assertThrows(IrVerificationException.class, () -> LlvmToolchain.verify(ir.module));
      assertTrue(e.getMessage().contains("broken") && e.getMessage().toLowerCase().contains("terminator"), e.getMessage());
      assertThrows(IrVerificationException.class, () -> LlvmToolchain.emitObject(ir.module, TargetSpec.portableHost()));
    }
  }

  @Test
  void ptxForEachSmCarriesItsIsaVersionAndAnEntry() {
    for (String sm : TargetSpec.nvptxArchs()) {
      try (OwnedModule m = LlvmToolchain.parseIr(NVPTX_ADD, "add.ll")) {
        TargetSpec spec = TargetSpec.nvptx(sm);
        LlvmToolchain.optimize(m.module(), spec);
        String ptx = LlvmToolchain.emitAssembly(m.module(), spec);
        String version = "." + spec.features().substring(4, 5) + "." + spec.features().substring(5);
        assertTrue(ptx.contains(".version " + version.substring(1)), sm + ":\n" + ptx);
        assertTrue(ptx.contains(".target " + sm), ptx);
        assertTrue(ptx.contains(".entry weft_add("), "ptx_kernel alone makes an entry on LLVM 20:\n" + ptx);
      }
    }
  }

  @Test
  void moduleBuiltForAnotherTripleIsRefused() {
    try (OwnedModule m = LlvmToolchain.parseIr(NVPTX_ADD, "add.ll")) {
      LlvmToolchain.configure(m.module(), TargetSpec.nvptx("sm_80"));
      CodegenException e = assertThrows(CodegenException.class, () -> LlvmToolchain.emitObject(m.module(), TargetSpec.amdgpu("gfx942")));
      assertTrue(e.getMessage().contains("nvptx64-nvidia-cuda"), e.getMessage());
    }
  }

  @Test
  void optimizeStampsTargetAttributesAndVectorizesForTheHost() {
    KernelModule k = SampleKernels.add("weft_add", null);
    for (TargetSpec spec : List.of(TargetSpec.host(), TargetSpec.portableHost())) {
      try (OwnedModule m = LlvmToolchain.parseBitcode(k.bitcode(), k.name())) {
        LlvmToolchain.optimize(m.module(), spec);
        LLVMValueRef fn = LLVMGetNamedFunction(m.module(), "weft_add");
        assertEquals(spec.cpu(), FunctionAttributes.get(fn, "target-cpu"));
        String ir = LlvmToolchain.printIr(m.module());
        // SSE2 gives 4 floats per vector; the host's AVX/AVX-512 more.
        int width = spec.hasFeature("avx512f") ? 16 : spec.hasFeature("avx") ? 8 : 4;
        assertTrue(ir.contains("<" + width + " x float>"), spec.shortName() + " did not vectorize at width " + width + ":\n" + ir);
      }
    }
  }

  @Test
  void preflightRejectsWhatWouldAbortOrLeaveALibmCall() {
    String expOnGpu = NVPTX_ADD.replace("%z = fadd float %x, %y", "%z = call float @llvm.exp.f32(float %x)")
        + "declare float @llvm.exp.f32(float)\n";
    assertRejected(expOnGpu, TargetSpec.nvptx("sm_90"), "llvm.exp.f32", "cannot select");
    String amdOnNvptx = NVPTX_ADD.replace("%z = fadd float %x, %y",
        "%w = call i32 @llvm.amdgcn.workitem.id.x()\n  %z = fadd float %x, %y") + "declare i32 @llvm.amdgcn.workitem.id.x()\n";
    assertRejected(amdOnNvptx, TargetSpec.nvptx("sm_90"), "llvm.amdgcn.workitem.id.x", "another architecture");
    String libm = """
        declare float @expf(float)
        define float @f(float %x) {
          %y = call float @expf(float %x)
          ret float %y
        }
        """;
    assertRejected(libm, TargetSpec.host(), "expf", "without libm");
    String floor = libm.replace("@expf", "@llvm.floor.f32");
    assertRejected(floor, TargetSpec.portableHost(), "llvm.floor.f32", "libm call");
    String asin = libm.replace("@expf", "@llvm.asin.f32");
    assertRejected(asin, TargetSpec.host(), "llvm.asin.f32", "libm call");
    String canonicalize = libm.replace("@expf", "@llvm.canonicalize.f32");
    assertRejected(canonicalize, TargetSpec.nvptx("sm_90"), "llvm.canonicalize.f32", "not among the math intrinsics");
    try (OwnedModule m = LlvmToolchain.parseIr(floor, "floor.ll")) {
      assertTrue(LlvmToolchain.emitObject(m.module(), TargetSpec.host()).length > 0, "SSE4.1 hosts round inline");
    }
  }

  private static void assertRejected(String ir, TargetSpec spec, String function, String why) {
    try (OwnedModule m = LlvmToolchain.parseIr(ir, "m.ll")) {
      UnsupportedIntrinsicException e = assertThrows(UnsupportedIntrinsicException.class,
          () -> LlvmToolchain.emitObject(m.module(), spec));
      assertEquals(function, e.function());
      assertTrue(e.getMessage().contains(why), e.getMessage());
    }
  }

  @Test
  void hostObjectsLinkIntoASharedLibraryExportingTheKernels(@TempDir Path dir) throws Exception {
    KernelModule a = SampleKernels.add("weft_a", null);
    KernelModule b = SampleKernels.gelu("weft_b", null, 0.04f);
    Path oa = dir.resolve("a.o");
    Path ob = dir.resolve("b.o");
    for (var k : List.of(a, b)) {
      try (OwnedModule m = LlvmToolchain.parseBitcode(k.bitcode(), k.name())) {
        LlvmToolchain.optimize(m.module(), TargetSpec.host());
        Files.write(k == a ? oa : ob, LlvmToolchain.emitObject(m.module(), TargetSpec.host()));
      }
    }
    Path so = dir.resolve("kernels.so");
    ToolRun run = Lld.linkHostShared(List.of(oa, ob), so);
    System.out.printf("[weft] ld.lld linked 2 host objects in %.1f ms%n", run.millis());
    List<String> symbols = ReadObj.definedDynamicSymbols(so);
    assertTrue(symbols.containsAll(List.of("weft_a", "weft_b")), symbols.toString());
  }

  @Test
  void lldReportsUndefinedSymbolsAsToolException(@TempDir Path dir) throws Exception {
    // Emitted through the C API directly, around the preflight: an object calling expf.
    String ir = "declare float @expf(float)\ndefine float @f(float %x) {\n  %y = call float @expf(float %x)\n  ret float %y\n}\n";
    Path obj = dir.resolve("libm_user.o");
    try (OwnedModule m = LlvmToolchain.parseIr(ir, "libm_user.ll"); LlvmTargetMachine tm = LlvmToolchain.targetMachine(TargetSpec.host())) {
      LlvmToolchain.configure(m.module(), tm);
      org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef out = new org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef();
      assertEquals(0, LLVMTargetMachineEmitToMemoryBuffer(tm.ref(), m.module(), LLVMObjectFile,
          new org.bytedeco.javacpp.BytePointer((org.bytedeco.javacpp.Pointer) null), out));
      Files.write(obj, LlvmToolchain.bytes(out));
    }
    ToolException e = assertThrows(ToolException.class, () -> Lld.linkHostShared(List.of(obj), dir.resolve("k.so")));
    assertTrue(e.getMessage().contains("undefined symbol: expf") && e.getMessage().contains("libm_user.o"), e.getMessage());
  }
}
