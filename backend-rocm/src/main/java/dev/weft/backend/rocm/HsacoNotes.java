package dev.weft.backend.rocm;

import dev.weft.codegen.llvm.CodegenException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AMDGPU metadata note of an HSA code object, from {@code llvm-readobj --notes}: the
 * target ("amdgcn-amd-amdhsa--gfx942") and the kernels. The note is YAML as llvm-readobj prints
 * it; only the kernel-level keys are read (lines at the kernel entry's own indentation), so
 * the {@code .name} of an argument is never taken for the kernel's.
 */
public record HsacoNotes(String target, List<AmdhsaKernel> kernels) {
  public Optional<AmdhsaKernel> kernel(String name) {
    return kernels.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  public static HsacoNotes parse(String readobjOutput) {
    String target = null;
    List<Map<String, String>> entries = new ArrayList<>();
    Map<String, String> current = null;
    boolean inKernels = false;
    for (String raw : readobjOutput.split("\n")) {
      String line = raw.stripTrailing();
      if (line.startsWith("amdhsa.target:")) {
        target = unquote(line.substring("amdhsa.target:".length()).strip());
        inKernels = false;
      } else if (line.startsWith("amdhsa.kernels:")) {
        inKernels = true;
      } else if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("-")) {
        inKernels = false; // the next top-level key
      } else if (inKernels) {
        String key = null;
        if (line.startsWith("  - .")) {
          current = new HashMap<>();
          entries.add(current);
          key = line.substring(4);
        } else if (line.startsWith("    .") && current != null) {
          key = line.substring(4);
        }
        if (key != null) {
          int colon = key.indexOf(':');
          if (colon > 0) current.put(key.substring(0, colon), unquote(key.substring(colon + 1).strip()));
        }
      }
    }
    if (target == null) throw new CodegenException("no amdhsa.target in the code object's notes");
    List<AmdhsaKernel> kernels = new ArrayList<>();
    for (Map<String, String> e : entries) {
      kernels.add(new AmdhsaKernel(required(e, ".name"), required(e, ".symbol"), number(e, ".kernarg_segment_size"),
          number(e, ".group_segment_fixed_size"), number(e, ".private_segment_fixed_size"), number(e, ".sgpr_count"),
          number(e, ".vgpr_count"), number(e, ".sgpr_spill_count"), number(e, ".vgpr_spill_count"),
          number(e, ".max_flat_workgroup_size"), number(e, ".wavefront_size")));
    }
    kernels.sort(Comparator.comparing(AmdhsaKernel::name));
    return new HsacoNotes(target, List.copyOf(kernels));
  }

  /** llvm-readobj prints YAML scalars that look like other types as {@code !str n}, or quoted. */
  private static String unquote(String v) {
    String s = v.startsWith("!str ") ? v.substring(5) : v;
    if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
      s = s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static String required(Map<String, String> e, String key) {
    String v = e.get(key);
    if (v == null) throw new CodegenException("amdhsa.kernels entry without " + key + ": " + e);
    return v;
  }

  private static int number(Map<String, String> e, String key) {
    String v = e.get(key);
    if (v == null) return 0;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException ex) {
      throw new CodegenException("amdhsa.kernels " + key + " is not a number: " + v);
    }
  }
}
