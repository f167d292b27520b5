package dev.weft.ir;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/** A compilation unit: the main graph plus metadata (producer, source file, ...). */
public final class Module {
  private final Graph main;
  private final TreeMap<String, String> metadata = new TreeMap<>();
  private String sourceFile;

  public Module(Graph main) { this.main = Objects.requireNonNull(main); }

  public Graph main() { return main; }

  public SortedMap<String, String> metadata() { return Collections.unmodifiableSortedMap(metadata); }

  public void putMetadata(String key, String value) { metadata.put(key, value); }

  /** The file this module was read from, for diagnostics; null if built in memory. */
  public String sourceFile() { return sourceFile; }

  public void setSourceFile(String f) { this.sourceFile = f; }
}
