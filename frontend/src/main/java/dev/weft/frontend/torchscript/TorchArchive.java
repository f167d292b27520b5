package dev.weft.frontend.torchscript;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A TorchScript archive ({@code torch.jit.save}; also {@code torch.save} zip files), read in place
 * without Python or libtorch.
 *
 * <p>Pickled values map to Java as follows (never Java {@code null}): None {@link PyNone#NONE},
 * bool {@link Boolean}, int {@link Long} ({@link java.math.BigInteger} beyond 64 bits), float
 * {@link Double}, str {@link String}, bytes {@code byte[]}, tuple {@link PyTuple}, list
 * {@link java.util.ArrayList}, dict and OrderedDict {@link java.util.LinkedHashMap}, tensors
 * {@link dev.weft.bundle.Tensor} (the strided view made dense; a view of a whole storage shares its
 * memory), TorchScript objects {@link ScriptObject}. Values contain no cycles and nest at most
 * {@link ArchiveLimits#maxNesting()} deep.
 *
 * <p>Everything but the debug info is read and checked by {@link #open}; errors are
 * {@link TorchArchiveException}s (a {@link PickleException} inside a pickle) naming the archive and
 * the entry.
 */
public final class TorchArchive implements AutoCloseable {
  private final SafeZip zip;
  private final ArchiveLimits limits;
  private final String root;
  private final long version;
  private final Object data;
  private final List<Object> constants;
  private final SortedMap<String, String> code;
  private final SortedMap<String, String> debugEntries; // code path -> entry name
  private final Map<String, List<SourceRangeRecord>> debugCache = new HashMap<>();

  private TorchArchive(SafeZip zip, ArchiveLimits limits) {
    this.zip = zip;
    this.limits = limits;
    this.root = rootOf(zip);
    this.version = readVersion();
    TensorViews.Budget budget = new TensorViews.Budget(limits.maxTensorBytes());
    this.data = unpickle("data.pkl", "data", budget);
    String constantsEntry = root + "/constants.pkl";
    if (zip.has(constantsEntry)) {
      Object c = unpickle("constants.pkl", "constants", budget);
      if (!(c instanceof PyTuple t)) {
        throw new TorchArchiveException(zip.archive(), constantsEntry, "holds a " + PyValues.typeName(c) + ", not a tuple");
      }
      this.constants = t.items();
    } else {
      this.constants = List.of();
    }
    TreeMap<String, String> sources = new TreeMap<>();
    TreeMap<String, String> debug = new TreeMap<>();
    String codePrefix = root + "/code/";
    for (String name : zip.names()) {
      if (!name.startsWith(codePrefix)) continue;
      String rel = name.substring(codePrefix.length());
      if (rel.endsWith(".py")) sources.put(rel, utf8(name, zip.readBytes(name, limits.maxPickleBytes())));
      else if (rel.endsWith(".py.debug_pkl")) debug.put(rel.substring(0, rel.length() - ".debug_pkl".length()), name);
    }
    this.code = Collections.unmodifiableSortedMap(sources);
    this.debugEntries = debug;
  }

  /** Opens and reads an archive with the default {@link ArchiveLimits}. */
  public static TorchArchive open(Path path) { return open(path, ArchiveLimits.DEFAULT); }

  public static TorchArchive open(Path path, ArchiveLimits limits) {
    SafeZip zip = SafeZip.open(path, limits);
    try {
      return new TorchArchive(zip, limits);
    } catch (RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  /** The archive as named when opened (for messages). */
  public String archiveName() { return zip.archive(); }

  /** The folder every entry lives in, e.g. {@code mlp_traced} (taken from the entries). */
  public String rootFolder() { return root; }

  /** The number in {@code version} or {@code .data/version}. */
  public long formatVersion() { return version; }

  /** The unpickled {@code data.pkl}: normally the top {@link ScriptObject}. */
  public Object data() { return data; }

  /** The unpickled {@code constants.pkl} tuple ({@code CONSTANTS.cN} in the code); empty if absent. */
  public List<Object> constants() { return constants; }

  /** Every {@code code/**.py} source by its path relative to {@code code/}, e.g. {@code __torch__/m.py}. */
  public SortedMap<String, String> code() { return code; }

  /** Every entry name, in central-directory order. */
  public List<String> entryNames() { return zip.names(); }

  /**
   * The source-range records of a code file's {@code .debug_pkl} entry, decoded on first use;
   * empty when the archive has none for it (archives may omit them).
   *
   * @param codePath a key of {@link #code()}
   */
  public synchronized Optional<List<SourceRangeRecord>> debugInfo(String codePath) {
    String entry = debugEntries.get(codePath);
    if (entry == null) return Optional.empty();
    List<SourceRangeRecord> cached = debugCache.get(codePath);
    if (cached != null) return Optional.of(cached);
    byte[] bytes = zip.readBytes(entry, limits.maxPickleBytes());
    Object value = Unpickler.loadPlain(zip.archive(), entry, bytes, limits);
    List<SourceRangeRecord> records;
    try {
      records = DebugPickles.decode(value, 16L * bytes.length + (1 << 20));
    } catch (DebugPickles.Malformed e) {
      throw new TorchArchiveException(zip.archive(), entry, "malformed debug info: " + e.getMessage());
    }
    debugCache.put(codePath, records);
    return Optional.of(records);
  }

  @Override
  public void close() { zip.close(); }

  // ---- reading ----

  private static String rootOf(SafeZip zip) {
    List<String> names = zip.names();
    if (names.isEmpty()) throw new TorchArchiveException(zip.archive(), null, "the archive is empty");
    String first = names.getFirst();
    int slash = first.indexOf('/');
    if (slash <= 0) throw new TorchArchiveException(zip.archive(), first, "entry is not inside a root folder");
    String root = first.substring(0, slash);
    for (String n : names) {
      if (!n.startsWith(root + "/")) {
        throw new TorchArchiveException(zip.archive(), n, "entry is outside the root folder '" + root + "'");
      }
    }
    return root;
  }

  private long readVersion() {
    String name = zip.has(root + "/.data/version") ? root + "/.data/version" : root + "/version";
    if (!zip.has(name)) throw new TorchArchiveException(zip.archive(), root + "/version", "missing: not a TorchScript archive");
    byte[] b = zip.readBytes(name, 64);
    String s = new String(b, StandardCharsets.ISO_8859_1).strip();
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new TorchArchiveException(zip.archive(), name, "is not a decimal version number: '"
          + PyValues.printable(s, 40) + "'");
    }
    return Long.parseLong(s);
  }

  private Object unpickle(String file, String storageFolder, TensorViews.Budget budget) {
    String entry = root + "/" + file;
    byte[] bytes = zip.readBytes(entry, limits.maxPickleBytes());
    Map<String, Unpickler.Storage> cache = new HashMap<>();
    Unpickler.StorageLoader loader = (key, type, location, numel) -> {
      if (!PickleGlobals.isIdentifier("k" + key.replace('.', '_').replace('-', '_')) || key.equals(".")
          || key.equals("..")) {
        throw new Unpickler.StorageError("storage key '" + PyValues.printable(key, 60) + "' is not a plain name");
      }
      String name = root + "/" + storageFolder + "/" + key;
      long expected;
      try {
        expected = Math.multiplyExact(numel, (long) type.dtype().byteSize());
      } catch (ArithmeticException e) {
        throw new Unpickler.StorageError("storage '" + name + "' of " + numel + " elements overflows int64 bytes");
      }
      Unpickler.Storage cached = cache.get(name);
      if (cached == null) {
        long actual = zip.size(name);
        if (actual < 0) throw new Unpickler.StorageError("storage entry '" + name + "' is missing");
        if (actual != expected) {
          throw new Unpickler.StorageError("storage entry '" + name + "' holds " + actual + " bytes, but the record says "
              + numel + " x " + type.name() + " = " + expected + " bytes");
        }
        MemorySegment seg = zip.readSegment(name);
        cached = new Unpickler.Storage(name, type.dtype(), numel, seg);
        cache.put(name, cached);
      }
      if (cached.bytes().byteSize() != expected) {
        throw new Unpickler.StorageError("storage entry '" + name + "' holds " + cached.bytes().byteSize()
            + " bytes, but the record says " + numel + " x " + type.name() + " = " + expected + " bytes");
      }
      return cached.dtype() == type.dtype() ? cached : new Unpickler.Storage(name, type.dtype(), numel, cached.bytes());
    };
    return new Unpickler(zip.archive(), entry, bytes, limits, loader, budget).load();
  }

  private String utf8(String entry, byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new TorchArchiveException(zip.archive(), entry, "is not valid UTF-8");
    }
  }
}
