package dev.weft.bundle;

import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.ManifestJson;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.safetensors.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a bundle directory: every file goes through this class, which refuses paths that
 * would leave the directory, records each file's sha256, and at {@link #finish} writes
 * {@code manifest.json} with that file table. Nothing it writes depends on time, the order of
 * calls or absolute paths, so the same inputs give the same bytes.
 *
 * <pre>{@code
 * BundleWriter w = BundleWriter.create(dir);           // dir absent or empty
 * w.writeProgram(0, program);                           // ranks/0/program.json
 * w.writeWeights(0, weights);                           // ranks/0/weights.safetensors
 * w.copyFile("ranks/0/kernels.so", builtLibrary);
 * w.writeString("ir/05-fuse.wir", text);
 * Manifest m = w.finish(manifestWithoutFiles);          // manifest.json, files filled in
 * }</pre>
 */
public final class BundleWriter {
  private final Path root;
  private final SortedMap<String, String> files = new TreeMap<>();
  private boolean finished;

  private BundleWriter(Path root) { this.root = root; }

  /**
   * Starts a bundle in {@code dir}, creating it if needed. An existing non-empty directory is
   * refused: stale files from an earlier bundle would sit there unlisted.
   */
  public static BundleWriter create(Path dir) {
    checkUsable(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BundleException(dir + ": cannot create the bundle directory: " + e.getMessage(), e);
    }
    return new BundleWriter(dir);
  }

  /**
   * Refuses {@code dir} as a bundle folder if it is a file or a non-empty directory: callers
   * check before a long compile, so a user error does not wait for the compile to end.
   */
  public static void checkUsable(Path dir) {
    if (!Files.exists(dir)) return;
    if (!Files.isDirectory(dir)) throw new BundleException(dir + ": exists and is not a directory");
    try (var s = Files.list(dir)) {
      if (s.findAny().isPresent()) throw new BundleException(dir + ": bundle directory is not empty");
    } catch (IOException e) {
      throw new BundleException(dir + ": cannot read the bundle directory: " + e.getMessage(), e);
    }
  }

  public Path root() { return root; }

  public void writeBytes(String rel, byte[] bytes) {
    Path p = target(rel);
    try {
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot write: " + e.getMessage(), e);
    }
    files.put(rel, FileHashes.sha256(bytes));
  }

  public void writeString(String rel, String text) { writeBytes(rel, text.getBytes(StandardCharsets.UTF_8)); }

  /** Copies a file built elsewhere (a linked {@code kernels.so}, a cubin) into the bundle. */
  public void copyFile(String rel, Path source) {
    Path p = target(rel);
    try {
      Files.copy(source, p, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot copy from " + source + ": " + e.getMessage(), e);
    }
    files.put(rel, FileHashes.sha256(p));
  }

  /** Writes {@code ranks/<rank>/program.json}; returns its path. */
  public String writeProgram(int rank, Program program) {
    String rel = "ranks/" + rank + "/program.json";
    writeBytes(rel, ProgramJson.writeBytes(program));
    return rel;
  }

  /** Writes {@code ranks/<rank>/weights.safetensors} (layout independent of map order); returns its path. */
  public String writeWeights(int rank, Map<String, Tensor> weights) {
    String rel = "ranks/" + rank + "/weights.safetensors";
    Path p = target(rel);
    Safetensors.write(p, weights);
    files.put(rel, FileHashes.sha256(p));
    return rel;
  }

  /** The files written so far and their sha256, sorted by path. */
  public SortedMap<String, String> files() { return java.util.Collections.unmodifiableSortedMap(files); }

  /**
   * Writes {@code manifest.json}: {@code manifest} with its file table replaced by the files
   * written. Every file a rank entry names must have been written.
   *
   * @return the manifest as written
   */
  public Manifest finish(Manifest manifest) {
    if (finished) throw new IllegalStateException("bundle already finished");
    Manifest m;
    try {
      m = manifest.withFiles(files);
    } catch (IllegalArgumentException e) {
      throw new BundleException(root.resolve(Manifest.FILE_NAME) + ": " + e.getMessage(), e);
    }
    for (var r : m.ranks()) {
      for (String f : r.files()) {
        if (!files.containsKey(f)) throw new BundleException("rank " + r.rank() + " names " + f + ", which was not written");
      }
    }
    try {
      Files.write(root.resolve(Manifest.FILE_NAME), ManifestJson.writeBytes(m));
    } catch (IOException e) {
      throw new BundleException(Manifest.FILE_NAME + ": cannot write: " + e.getMessage(), e);
    }
    finished = true;
    return m;
  }

  /** Checks {@code rel}, refuses duplicates and the manifest's own name, creates parent folders. */
  private Path target(String rel) {
    if (finished) throw new IllegalStateException("bundle already finished");
    String problem = BundlePaths.problem(rel);
    if (problem != null) throw new BundleException("refusing to write \"" + rel + "\" into the bundle: " + problem);
    if (rel.equals(Manifest.FILE_NAME)) throw new BundleException("refusing to write \"" + rel + "\": written by finish()");
    if (files.containsKey(rel)) throw new BundleException("\"" + rel + "\" was already written to the bundle");
    Path p = root.resolve(rel);
    try {
      Files.createDirectories(p.getParent());
      // A symlinked folder inside the bundle could still lead outside it.
      if (!p.getParent().toRealPath().startsWith(root.toRealPath())) {
        throw new BundleException("refusing to write \"" + rel + "\": its folder resolves outside the bundle");
      }
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot create its folder: " + e.getMessage(), e);
    }
    return p;
  }
}
