package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;

/**
 * What LLVM needs to create a TargetMachine: triple, cpu and feature string. Only the factories
 * below are meant to build one; each validates its name before LLVM sees it, because LLVM only
 * warns about an unknown cpu and then emits code for a generic one.
 */
public record TargetSpec(String triple, String cpu, String features) {
  /** Instruction-set families Weft emits for, from the triple's architecture. */
  public enum Arch { X86_64, NVPTX, AMDGPU }

  public static final String NVPTX_TRIPLE = "nvptx64-nvidia-cuda";
  public static final String AMDGPU_TRIPLE = "amdgcn-amd-amdhsa";
  public static final String PORTABLE_X86_TRIPLE = "x86_64-unknown-linux-gnu";

  /**
   * PTX ISA per sm: the lowest version that LLVM 20 accepts for that sm (it raises the version
   * to this minimum by itself, so naming it keeps the .version line visible in the spec). A
   * lower ISA lets older drivers JIT the PTX; ptxas from CUDA 12.0+ accepts all three.
   */
  private static final Map<String, String> NVPTX_FEATURES = orderedMap(
      "sm_80", "+ptx70",
      "sm_90", "+ptx78",
      "sm_90a", "+ptx80");

  private static final List<String> AMDGPU_ARCHS = List.of("gfx90a", "gfx942");

  private static volatile TargetSpec host;

  public TargetSpec {
    Objects.requireNonNull(triple, "triple");
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(features, "features");
  }

  /** The machine this JVM runs on: LLVM's default triple, host cpu name and host features. */
  public static TargetSpec host() {
    TargetSpec h = host;
    if (h != null) return h;
    LlvmNative.ensureLoaded();
    h = new TargetSpec(take(LLVMGetDefaultTargetTriple()), take(LLVMGetHostCPUName()), take(LLVMGetHostCPUFeatures()));
    if (!h.triple.startsWith("x86_64")) {
      throw new UnknownTargetException("host architecture", h.triple, List.of("x86_64"));
    }
    host = h;
    return h;
  }

  /** x86-64 baseline (SSE2, no FMA, no SSE4.1 rounding): runs on any x86-64 machine. */
  public static TargetSpec portableHost() { return new TargetSpec(PORTABLE_X86_TRIPLE, "x86-64", ""); }

  /** NVPTX for one of {@link #nvptxArchs()}. */
  public static TargetSpec nvptx(String sm) {
    String features = NVPTX_FEATURES.get(sm);
    if (features == null) throw new UnknownTargetException("CUDA architecture", sm, nvptxArchs());
    return new TargetSpec(NVPTX_TRIPLE, sm, features);
  }

  /** AMDGPU (HSA code object) for one of {@link #amdgpuArchs()}. */
  public static TargetSpec amdgpu(String gfx) {
    if (!AMDGPU_ARCHS.contains(gfx)) throw new UnknownTargetException("AMDGPU architecture", gfx, amdgpuArchs());
    return new TargetSpec(AMDGPU_TRIPLE, gfx, "");
  }

  public static List<String> nvptxArchs() { return List.copyOf(NVPTX_FEATURES.keySet()); }

  public static List<String> amdgpuArchs() { return AMDGPU_ARCHS; }

  public Arch arch() {
    if (triple.startsWith("x86_64")) return Arch.X86_64;
    if (triple.startsWith("nvptx64")) return Arch.NVPTX;
    if (triple.startsWith("amdgcn")) return Arch.AMDGPU;
    throw new UnknownTargetException("target triple", triple,
        List.of(PORTABLE_X86_TRIPLE, NVPTX_TRIPLE, AMDGPU_TRIPLE));
  }

  public boolean gpu() { return arch() != Arch.X86_64; }

  /** Whether the feature string turns {@code feature} on ("+sse4.1" in it). */
  public boolean hasFeature(String feature) {
    for (String f : features.split(",")) {
      if (f.equals("+" + feature)) return true;
    }
    return false;
  }

  /** Short form for messages and file names: the cpu and triple, without the (long) host feature list. */
  public String shortName() { return cpu + "/" + triple; }

  private static String take(BytePointer p) {
    try {
      return p.getString();
    } finally {
      LLVMDisposeMessage(p);
    }
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }
}
