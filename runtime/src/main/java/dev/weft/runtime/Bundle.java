package dev.weft.runtime;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.BundlePaths;
import dev.weft.bundle.FileHashes;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.ManifestJson;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.safetensors.SafetensorsFile;
import dev.weft.runtime.spi.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loaded bundle: {@code Bundle.load(dir).session("cpu").run(inputs)}.
 *
 * <p>Loading reads {@code manifest.json}, finds which ranks' folders are on this node (a node
 * may hold only its own), checks the sha256 of every file those ranks use against the manifest
 * (a mismatch names the file), parses their programs and maps their weights. Devices are not
 * touched until {@link #session}, which first checks that the bundle fits the device.
 *
 * <p>Thread-safe. {@link #close} closes the sessions made from it and unmaps the weights.
 */
public final class Bundle implements AutoCloseable {
  /** Largest manifest or program file read into memory. */
  static final long MAX_JSON_BYTES = 256L << 20;

  private final Path root;
  private final Manifest manifest;
  private final Map<Integer, RankImage> ranks;
  private final List<Session> sessions = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private Bundle(Path root, Manifest manifest, Map<Integer, RankImage> ranks) {
    this.root = root;
    this.manifest = manifest;
    this.ranks = ranks;
  }

  /**
   * Loads the bundle in {@code dir}.
   *
   * @throws BundleException naming the file that is missing, malformed or escapes the bundle
   * @throws HashMismatchException naming the file whose sha256 differs from the manifest's
   */
  public static Bundle load(Path dir) {
    Path manifestPath = BundlePaths.existingFile(dir, Manifest.FILE_NAME);
    Manifest manifest = ManifestJson.read(Manifest.FILE_NAME, readSmall(manifestPath, Manifest.FILE_NAME));
    Map<Integer, RankImage> ranks = new TreeMap<>();
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      for (RankEntry r : manifest.ranks()) {
        Path rankDir = BundlePaths.resolve(dir, r.dir());
        // Another node's rank: its folder is simply not shipped here.
        if (!Files.isDirectory(rankDir, LinkOption.NOFOLLOW_LINKS)) continue;
        Map<String, Path> files = new TreeMap<>();
        for (String f : r.files()) files.put(f, verified(dir, manifest, f));
        Program program = ProgramJson.read(r.program(), readSmall(files.get(r.program()), r.program()));
        List<Device.KernelFile> kernels = new ArrayList<>();
        for (KernelImage k : r.kernels()) kernels.add(new Device.KernelFile(k, files.get(k.path())));
        SafetensorsFile weights = null;
        if (r.weights() != null) {
          weights = SafetensorsFile.open(files.get(r.weights()));
          opened.add(weights);
        }
        ranks.put(r.rank(), new RankImage(r, program, List.copyOf(kernels), weights));
      }
    } catch (RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
    if (ranks.isEmpty()) {
      throw new BundleException(dir + ": none of the bundle's rank folders is here (expected one of "
          + manifest.ranks().stream().map(RankEntry::dir).toList() + ")");
    }
    return new Bundle(dir, manifest, Collections.unmodifiableMap(ranks));
  }

  /** Resolves a file of the bundle and checks its sha256 against the manifest. */
  private static Path verified(Path root, Manifest manifest, String rel) {
    Path p = BundlePaths.existingFile(root, rel);
    String expected = manifest.files().get(rel);
    if (expected == null) throw new BundleException(rel + ": not listed in manifest.json's files, so it cannot be verified");
    String actual = FileHashes.sha256(p);
    if (!actual.equals(expected)) throw new HashMismatchException(rel, expected, actual);
    return p;
  }

  private static byte[] readSmall(Path p, String rel) {
    try {
      long size = Files.size(p);
      if (size > MAX_JSON_BYTES) throw new BundleException(rel + ": " + size + " bytes, more than the limit of " + MAX_JSON_BYTES);
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot be read: " + e.getMessage(), e);
    }
  }

  public Path root() { return root; }

  public Manifest manifest() { return manifest; }

  /** The ranks whose folders are on this node, ascending. */
  public List<Integer> localRanks() { return List.copyOf(ranks.keySet()); }

  /** The parsed program of a local rank. */
  public Program program(int rank) { return image(rank).program(); }

  RankImage image(int rank) {
    RankImage img = ranks.get(rank);
    if (img == null) {
      throw new IllegalArgumentException("rank " + rank + " is not on this node (local ranks: " + localRanks() + ")");
    }
    return img;
  }

  /**
   * A session on device {@code spec} ({@code cpu}, {@code cuda}, {@code cuda:1}) for the only
   * local rank. The session owns the device it opens.
   */
  public Session session(String spec) { return session(spec, onlyRank(), Map.of()); }

  /**
   * A session for local rank {@code rank} on {@code spec}; without an ordinal in {@code spec}
   * the device is the one the manifest assigns to the rank.
   */
  public Session session(String spec, int rank, Map<String, String> options) {
    RankImage img = image(rank);
    Device device = Devices.open(spec, img.entry().device(), options);
    try {
      return register(new Session(this, img, device, true));
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
  }

  /** A session on a device the caller opened (and closes) for the only local rank. */
  public Session session(Device device) { return session(device, onlyRank()); }

  public Session session(Device device, int rank) { return register(new Session(this, image(rank), device, false)); }

  private int onlyRank() {
    if (ranks.size() != 1) {
      throw new IllegalArgumentException("this node holds ranks " + localRanks() + "; choose one with session(device, rank)");
    }
    return ranks.keySet().iterator().next();
  }

  private Session register(Session s) {
    if (closed) {
      s.close();
      throw new IllegalStateException("bundle is closed");
    }
    sessions.add(s);
    return s;
  }

  void forget(Session s) { sessions.remove(s); }

  @Override
  public void close() {
    closed = true;
    for (Session s : sessions) s.close();
    for (RankImage r : ranks.values()) if (r.weights() != null) r.weights().close();
  }
}
