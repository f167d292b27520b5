package dev.weft.bundle.manifest;

import dev.weft.bundle.Json;
import dev.weft.bundle.json.JsonFields;
import dev.weft.bundle.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Resource usage of one kernel as the assembler reported it ({@code ptxas -v}): registers and
 * spills decide occupancy, and a spill says a kernel's tile is too large. A rank's stats lie in
 * {@code ranks/<N>/kernels.json} ({@link #FILE_NAME}), beside the cubin they describe, sorted by
 * kernel name so the file is deterministic:
 * <pre>{"assembler": "ptxas", "arch": "sm_90", "kernels": [{"name": "weft_g0", "registers": 12,
 *   "spill_stores": 0, "spill_loads": 0, "shared_bytes": 0, "stack_frame_bytes": 0, "barriers": 0}]}</pre>
 */
public record KernelStats(String name, long registers, long spillStores, long spillLoads, long sharedBytes,
                          long stackFrameBytes, long barriers) {
  public static final String FILE_NAME = "kernels.json";

  public KernelStats {
    Objects.requireNonNull(name, "name");
  }

  /** The file's text (kernels sorted by name, a final newline). */
  public static String write(String assembler, String arch, List<KernelStats> stats) {
    Json.Arr ks = new Json.Arr();
    List<KernelStats> sorted = new ArrayList<>(stats);
    sorted.sort(Comparator.comparing(KernelStats::name));
    for (KernelStats s : sorted) {
      ks.add(new Json.Obj().put("name", s.name()).put("registers", s.registers()).put("spill_stores", s.spillStores())
          .put("spill_loads", s.spillLoads()).put("shared_bytes", s.sharedBytes())
          .put("stack_frame_bytes", s.stackFrameBytes()).put("barriers", s.barriers()));
    }
    return new Json.Obj().put("assembler", assembler).put("arch", arch).put("kernels", ks) + "\n";
  }

  /** Parses a kernels.json; {@code file} names it in errors. */
  public static List<KernelStats> read(String file, byte[] json) {
    JsonFields root = JsonFields.root(file, JsonReader.parse(file, json));
    root.allowOnly("assembler", "arch", "kernels");
    List<KernelStats> out = new ArrayList<>();
    for (JsonFields k : root.objects("kernels")) {
      k.allowOnly("name", "registers", "spill_stores", "spill_loads", "shared_bytes", "stack_frame_bytes", "barriers");
      out.add(new KernelStats(k.string("name"), k.count("registers"), k.count("spill_stores"), k.count("spill_loads"),
          k.count("shared_bytes"), k.count("stack_frame_bytes"), k.count("barriers")));
    }
    return out;
  }

  /** For messages and {@code weft inspect}. */
  public String describe() {
    return name + ": " + registers + " registers, " + spillStores + " B spill stores, " + spillLoads + " B spill loads, "
        + sharedBytes + " B smem, " + stackFrameBytes + " B stack";
  }

}
