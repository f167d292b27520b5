package dev.weft.bundle.manifest;

import java.util.List;
import java.util.Objects;

/**
 * One rank of the mesh and its files (paths relative to the bundle root).
 *
 * @param rank the global rank
 * @param node which node of the mesh runs it
 * @param device the device ordinal on that node
 * @param dir the rank's folder ({@code ranks/<N>}); a node holds only its own ranks' folders
 * @param program the program file
 * @param kernels its kernel images, in the order the compiler wrote them
 * @param weights the weights file, or null when the rank has no weights
 */
public record RankEntry(int rank, int node, int device, String dir, String program, List<KernelImage> kernels,
    String weights) {
  public RankEntry {
    if (rank < 0 || node < 0 || device < 0) throw new IllegalArgumentException("negative rank, node or device");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(program, "program");
    kernels = List.copyOf(kernels);
  }

  /** The conventional folder of rank {@code n}. */
  public static String dirOf(int n) { return "ranks/" + n; }

  /** A single-node rank in its conventional folder with the conventional file names. */
  public static RankEntry standard(int rank, int device, List<KernelImage> kernels, boolean hasWeights) {
    String dir = dirOf(rank);
    return new RankEntry(rank, 0, device, dir, dir + "/program.json", kernels, hasWeights ? dir + "/weights.safetensors" : null);
  }

  /** Every file the runtime reads to run this rank. */
  public List<String> files() {
    List<String> out = new java.util.ArrayList<>();
    out.add(program);
    for (KernelImage k : kernels) out.add(k.path());
    if (weights != null) out.add(weights);
    return out;
  }
}
