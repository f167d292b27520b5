package dev.weft.backend.rocm;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.SampleKernels;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RocmToolchainTest {
  /** Kernel name -> buffer count: kernarg segment = 8 bytes per pointer + 8 for the extent. */
  static final Map<String, Integer> BUFFERS = Map.of("weft_add", 3, "weft_gelu", 2, "weft_ln", 4, "weft_softmax", 2, "weft_mm", 4);

  static List<KernelModule> kernels(Target t) {
    return List.of(SampleKernels.add("weft_add", t), SampleKernels.gelu("weft_gelu", t, 0.044715f),
        SampleKernels.layerNorm("weft_ln", t, 768, 1e-5f), SampleKernels.softmax("weft_softmax", t, 128),
        SampleKernels.matmul("weft_mm", t, 768, 768));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rocm:gfx90a", "rocm:gfx942"})
  void hsacoLinksAndItsNotesListEveryKernel(String name, @TempDir Path out) throws Exception {
    RocmTarget target = (RocmTarget) Targets.find(name);
    RocmKernels built;
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
      built = new RocmToolchain(c, target).build(kernels(target), out);
    }
    byte[] elf = Files.readAllBytes(built.hsaco());
    assertEquals(0x7f, elf[0]);
    assertEquals(224, elf[18] & 0xff, "e_machine EM_AMDGPU");
    assertEquals("amdgcn-amd-amdhsa--" + target.gfx(), built.notes().target());
    assertEquals(BUFFERS.keySet().stream().sorted().toList(), built.notes().kernels().stream().map(AmdhsaKernel::name).toList());
    for (AmdhsaKernel k : built.notes().kernels()) {
      assertEquals(k.name() + ".kd", k.symbol());
      assertEquals(8 * BUFFERS.get(k.name()) + 8, k.kernargSegmentSize(), k.toString());
      assertEquals(256, k.maxFlatWorkgroupSize(), k.toString());
      assertEquals(64, k.wavefrontSize());
      assertEquals(0, k.vgprSpillCount(), k.toString());
      assertEquals(0, k.sgprSpillCount(), k.toString());
      System.out.printf("[weft] %s %s: %d VGPRs, %d SGPRs, kernarg %d B%n", name, k.name(), k.vgprCount(), k.sgprCount(),
          k.kernargSegmentSize());
    }
    System.out.printf("[weft] %s: linked emission %.0f ms, ld.lld %.0f ms%n", name, built.linked().millis(), built.linkMillis());
    try (var left = Files.list(out)) {
      assertEquals(List.of("kernels.hsaco"), left.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void notesParserReadsKernelKeysNotArgumentKeys() {
    String readobj = """
        File: kernels.hsaco
        Format: elf64-amdgpu
        NoteSections [
          NoteSection {
            Notes [
              {
                Owner: AMDGPU
                AMDGPU Metadata: ---
        amdhsa.kernels:
          - .agpr_count:     0
            .args:
              - .address_space:  global
                .name:           a
                .offset:         0
                .size:           8
                .value_kind:     global_buffer
              - .name:           !str n
                .offset:         8
                .size:           8
                .value_kind:     by_value
            .group_segment_fixed_size: 1024
            .kernarg_segment_size: 16
            .max_flat_workgroup_size: 128
            .name:           weft_b
            .private_segment_fixed_size: 0
            .sgpr_count:     22
            .sgpr_spill_count: 0
            .symbol:         weft_b.kd
            .vgpr_count:     8
            .vgpr_spill_count: 0
            .wavefront_size: 64
          - .args: []
            .kernarg_segment_size: 0
            .name:           weft_a
            .symbol:         weft_a.kd
        amdhsa.target:   amdgcn-amd-amdhsa--gfx90a
        amdhsa.version:
          - 1
          - 2
        ...
        """;
    HsacoNotes notes = HsacoNotes.parse(readobj);
    assertEquals("amdgcn-amd-amdhsa--gfx90a", notes.target());
    assertEquals(List.of(new AmdhsaKernel("weft_a", "weft_a.kd", 0, 0, 0, 0, 0, 0, 0, 0, 0),
        new AmdhsaKernel("weft_b", "weft_b.kd", 16, 1024, 0, 22, 8, 0, 0, 128, 64)), notes.kernels());
  }

  @Test
  void gpt2LikeKernelSetCompileTime(@TempDir Path out) {
    RocmTarget target = (RocmTarget) Targets.find("rocm:gfx942");
    List<KernelModule> kernels = SampleKernels.gpt2Like(40, target);
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, Compiler.defaultParallelism(), out.resolve("repro"))) {
      RocmToolchain t = new RocmToolchain(c, target);
      t.build(kernels, out.resolve("warm"));
      long t0 = System.nanoTime();
      RocmKernels built = t.build(kernels, out.resolve("hsaco"));
      assertEquals(40, built.notes().kernels().size());
      System.out.printf("[weft] IN_PROCESS: 40 kernels -> kernels.hsaco for gfx942 in %.0f ms wall%n", (System.nanoTime() - t0) / 1e6);
    }
  }
}
