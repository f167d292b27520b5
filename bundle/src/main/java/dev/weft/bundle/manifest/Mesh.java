package dev.weft.bundle.manifest;

/** The device mesh the bundle was partitioned for: {@code nodes x devicesPerNode} ranks. */
public record Mesh(int nodes, int devicesPerNode) {
  public Mesh {
    if (nodes < 1 || devicesPerNode < 1) throw new IllegalArgumentException("mesh needs at least one node and device");
  }

  public static Mesh single() { return new Mesh(1, 1); }

  public int worldSize() { return Math.multiplyExact(nodes, devicesPerNode); }
}
