package dev.weft.frontend.onnx;

import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads tensor data stored next to a model ({@code data_location = EXTERNAL}). Every entry
 * point (initializers, sparse initializers, Constant attributes, tensors in subgraphs and
 * functions) goes through {@link #read}, so there is one validator:
 *
 * <ul>
 *   <li>the location is relative, has no {@code ..} segment, no drive letter, no NUL, and is
 *       rejected before anything is opened;
 *   <li>no component from the model folder down to the file is a symbolic link, the file is a
 *       regular file with one hard link (where the file system tells), and its real path lies
 *       inside the model folder's real path, compared segment by segment;
 *   <li>offset and length are non-negative, inside the file, and the length equals the
 *       tensor's byte size; keys other than location/offset/length/checksum are errors.
 * </ul>
 *
 * Data is read with a {@link FileChannel}: nothing is extracted or written.
 */
public final class ExternalData {
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
  private static final long HEAP_LIMIT = 1L << 30;

  private final Path baseDir;
  private final String modelName;

  /** {@code baseDir}: the model's folder; null when the model was loaded from bytes. */
  public ExternalData(Path baseDir, String modelName) {
    this.baseDir = baseDir;
    this.modelName = modelName == null ? "<model>" : modelName;
  }

  public Path baseDir() { return baseDir; }

  /** The parsed external_data entries of one tensor. */
  public record Entry(String location, long offset, long length) {}

  /** Parses and checks the keys and numbers (not the file) of a tensor's external_data. */
  public static Entry parse(TensorProto t, String what) {
    String location = null;
    long offset = 0;
    long length = -1;
    List<String> seen = new ArrayList<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      String k = e.getKey();
      if (seen.contains(k)) throw new OnnxImportException(what + ": external_data key '" + k + "' appears twice");
      seen.add(k);
      switch (k) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseNumber(what, k, e.getValue());
        case "length" -> length = parseNumber(what, k, e.getValue());
        case "checksum" -> { }
        default -> throw new OnnxImportException(what + ": unknown external_data key '" + k + "'");
      }
    }
    if (location == null || location.isEmpty()) throw new OnnxImportException(what + ": external_data has no 'location'");
    checkLocation(location, what);
    return new Entry(location, offset, length);
  }

  private static long parseNumber(String what, String key, String v) {
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new OnnxImportException(what + ": external_data '" + key + "' is not an integer: '" + v + "'");
    }
    if (n < 0) throw new OnnxImportException(what + ": external_data '" + key + "' is negative: " + n);
    return n;
  }

  /** Lexical checks on a location, before any file is touched. */
  public static void checkLocation(String location, String what) {
    String bad = null;
    if (location.indexOf('\0') >= 0) bad = "contains a NUL character";
    else if (location.startsWith("/") || location.startsWith("\\")) bad = "is an absolute path";
    else if (DRIVE.matcher(location).matches()) bad = "has a drive letter";
    else if (location.contains(":")) bad = "contains ':'";
    else {
      for (String seg : location.split("[/\\\\]")) {
        if (seg.equals("..")) {
          bad = "has a '..' segment";
          break;
        }
      }
    }
    if (bad != null) {
      throw new OnnxImportException(what + ": external_data location '" + location + "' " + bad
          + "; it must be a relative path inside the model's folder");
    }
  }

  /**
   * Reads the external bytes of {@code t}; {@code expectedBytes} is the tensor's serialized byte
   * size as its dims declare it. Returns a segment of exactly that size.
   */
  public MemorySegment read(TensorProto t, long expectedBytes, String what) {
    Entry e = parse(t, what);
    if (baseDir == null) {
      throw new OnnxImportException(what + ": uses external data '" + e.location()
          + "' but the model was loaded from bytes, without a folder to resolve it against");
    }
    Path file = resolve(e.location(), what);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (e.offset() > size) {
        throw new OnnxImportException(what + ": external_data offset " + e.offset() + " is past the end of '"
            + e.location() + "' (" + size + " bytes)");
      }
      long length = e.length() < 0 ? size - e.offset() : e.length();
      if (length > size - e.offset()) {
        throw new OnnxImportException(what + ": external_data offset " + e.offset() + " + length " + length
            + " is past the end of '" + e.location() + "' (" + size + " bytes)");
      }
      if (length != expectedBytes) {
        throw new OnnxImportException(what + ": external_data length " + length + " does not match the "
            + expectedBytes + " bytes its dims and data_type need");
      }
      MemorySegment seg = length < HEAP_LIMIT
          ? MemorySegment.ofArray(new byte[(int) length])
          : Arena.ofAuto().allocate(length, 16);
      long done = 0;
      while (done < length) {
        long chunk = Math.min(length - done, 1 << 26);
        ByteBuffer buf = seg.asSlice(done, chunk).asByteBuffer();
        while (buf.hasRemaining()) {
          int n = ch.read(buf, e.offset() + done + buf.position());
          if (n < 0) throw new OnnxImportException(what + ": '" + e.location() + "' ended early");
        }
        done += chunk;
      }
      return seg;
    } catch (IOException ex) {
      throw new OnnxImportException(what + ": cannot read external data '" + e.location() + "': " + ex.getMessage(), ex);
    }
  }

  /** Resolves a checked location to a file inside the model folder, refusing links. */
  Path resolve(String location, String what) {
    Path root;
    try {
      root = baseDir.toRealPath();
    } catch (IOException ex) {
      throw new OnnxImportException(modelName + ": model folder " + baseDir + " is not readable: " + ex.getMessage(), ex);
    }
    Path p = root;
    String[] segs = location.split("[/\\\\]");
    for (int i = 0; i < segs.length; i++) {
      String seg = segs[i];
      if (seg.isEmpty() || seg.equals(".")) continue;
      p = p.resolve(seg);
      if (Files.isSymbolicLink(p)) {
        throw new OnnxImportException(what + ": external_data location '" + location + "' goes through a symbolic link ('"
            + root.relativize(p) + "')");
      }
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException ex) {
      throw new OnnxImportException(what + ": external data file '" + location + "' not found next to " + modelName);
    }
    if (!attrs.isRegularFile()) {
      throw new OnnxImportException(what + ": external data '" + location + "' is not a regular file");
    }
    try {
      Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      if (nlink instanceof Integer n && n > 1) {
        throw new OnnxImportException(what + ": external data file '" + location + "' has " + n + " hard links");
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException ex) {
      // The file system does not report link counts; the real-path check below still applies.
    }
    Path real;
    try {
      real = p.toRealPath();
    } catch (IOException ex) {
      throw new OnnxImportException(what + ": cannot resolve external data '" + location + "': " + ex.getMessage(), ex);
    }
    if (!real.startsWith(root) || real.equals(root)) {
      throw new OnnxImportException(what + ": external_data location '" + location + "' resolves outside the model's folder");
    }
    return real;
  }
}
