package dev.weft.frontend.torchscript;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip archive read in place ({@link ZipFile}: random access through the central directory,
 * which TorchScript archives need; {@code ZipInputStream} misreads them). Nothing is extracted or
 * written. Opening validates every name (no {@code ..}, absolute, backslash or drive-letter names,
 * no duplicates), the entry count, the declared total size and each entry's compression ratio;
 * every read is bounded by the declared size and by the remaining byte budget.
 */
final class SafeZip implements AutoCloseable {
  private static final long HEAP_LIMIT = 1L << 30;

  private final String archive;
  private final ZipFile zip;
  private final ArchiveLimits limits;
  private final List<String> names;
  private final Map<String, ZipEntry> entries;
  private long budget;

  private SafeZip(String archive, ZipFile zip, ArchiveLimits limits, List<String> names, Map<String, ZipEntry> entries) {
    this.archive = archive;
    this.zip = zip;
    this.limits = limits;
    this.names = names;
    this.entries = entries;
    this.budget = limits.maxTotalBytes();
  }

  static SafeZip open(Path path, ArchiveLimits limits) {
    String archive = path.toString();
    if (!Files.isRegularFile(path)) throw new TorchArchiveException(archive, null, "not a readable file");
    long fileSize;
    ZipFile zip;
    try {
      fileSize = Files.size(path);
      zip = new ZipFile(path.toFile(), ZipFile.OPEN_READ);
    } catch (IOException | RuntimeException e) {
      throw new TorchArchiveException(archive, null, "not a valid zip archive (" + describe(e) + ")", e);
    }
    try {
      if (zip.size() > limits.maxEntries()) {
        throw new TorchArchiveException(archive, null,
            "has " + zip.size() + " entries, more than the limit of " + limits.maxEntries());
      }
      List<String> names = new ArrayList<>();
      Map<String, ZipEntry> entries = new HashMap<>();
      long total = 0;
      Enumeration<? extends ZipEntry> en = zip.entries();
      while (en.hasMoreElements()) {
        ZipEntry e = en.nextElement();
        String name = e.getName();
        String bad = badName(name);
        if (bad != null) throw new TorchArchiveException(archive, PyValues.printable(name, 200), bad);
        if (entries.putIfAbsent(name, e) != null) {
          throw new TorchArchiveException(archive, name, "duplicate entry name");
        }
        if (names.size() >= limits.maxEntries()) {
          throw new TorchArchiveException(archive, null, "more than " + limits.maxEntries() + " entries");
        }
        names.add(name);
        long size = e.getSize();
        long csize = e.getCompressedSize();
        if (size < 0 || csize < 0) throw new TorchArchiveException(archive, name, "entry size is not declared");
        if (csize > fileSize) {
          throw new TorchArchiveException(archive, name, "compressed size " + csize + " exceeds the file size " + fileSize);
        }
        if (size > limits.ratioGraceBytes() && size / Math.max(csize, 1) > limits.maxCompressionRatio()) {
          throw new TorchArchiveException(archive, name, "compression ratio " + size + ":" + csize
              + " exceeds " + limits.maxCompressionRatio() + ":1 (zip bomb?)");
        }
        total += size;
        if (total > limits.maxTotalBytes() || total < 0) {
          throw new TorchArchiveException(archive, name, "uncompressed entries total more than the budget of "
              + limits.maxTotalBytes() + " bytes");
        }
      }
      return new SafeZip(archive, zip, limits, Collections.unmodifiableList(names), entries);
    } catch (TorchArchiveException e) {
      closeQuietly(zip);
      throw e;
    } catch (RuntimeException e) { // ZipFile reports malformed names and headers as unchecked exceptions
      closeQuietly(zip);
      throw new TorchArchiveException(archive, null, "corrupt zip directory (" + describe(e) + ")", e);
    }
  }

  /** Why a name is unsafe, or null. Rules compare segments, so {@code a/../../x} is caught too. */
  static String badName(String name) {
    if (name.isEmpty()) return "empty entry name";
    if (name.length() > 4096) return "entry name longer than 4096 characters";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) return "entry name contains a control character";
      if (c == '\\') return "entry name contains a backslash";
    }
    if (name.startsWith("/")) return "absolute entry name";
    if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
      return "entry name starts with a drive letter";
    }
    String body = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    for (String seg : body.split("/", -1)) {
      if (seg.equals("..")) return "entry name has a '..' segment";
      if (seg.equals(".")) return "entry name has a '.' segment";
      if (seg.isEmpty()) return "entry name has an empty segment";
      if (seg.indexOf(':') >= 0) return "entry name has a ':' (drive or stream name)";
    }
    return null;
  }

  String archive() { return archive; }

  /** Entry names in central-directory order. */
  List<String> names() { return names; }

  boolean has(String name) { return entries.containsKey(name); }

  /** The declared uncompressed size of an entry, or -1 when absent. */
  long size(String name) {
    ZipEntry e = entries.get(name);
    return e == null ? -1 : e.getSize();
  }

  /** Reads a whole entry into a byte array of at most {@code max} bytes. */
  byte[] readBytes(String name, int max) {
    ZipEntry e = entry(name);
    if (e.getSize() > max) {
      throw new TorchArchiveException(archive, name, "entry is " + e.getSize() + " bytes, more than the limit of " + max);
    }
    MemorySegment seg = read(e);
    return seg.toArray(ValueLayout.JAVA_BYTE);
  }

  /** Reads a whole entry into memory (heap below 1 GiB, off-heap above). */
  MemorySegment readSegment(String name) { return read(entry(name)); }

  private ZipEntry entry(String name) {
    ZipEntry e = entries.get(name);
    if (e == null) throw new TorchArchiveException(archive, name, "entry is missing");
    return e;
  }

  private MemorySegment read(ZipEntry e) {
    String name = e.getName();
    long size = e.getSize();
    if (size > budget) {
      throw new TorchArchiveException(archive, name, "reading " + size + " bytes exceeds the remaining budget of "
          + budget + " bytes");
    }
    budget -= size;
    MemorySegment seg = size < HEAP_LIMIT ? MemorySegment.ofArray(new byte[(int) size])
        : Arena.ofAuto().allocate(size, 16);
    byte[] buf = new byte[(int) Math.min(size, 1 << 16) + 1];
    long done = 0;
    try (InputStream in = zip.getInputStream(e)) {
      while (true) {
        // Ask for one byte past what is left so an entry inflating past its declared size is caught.
        int want = (int) Math.min(buf.length, size - done + 1);
        int n = in.read(buf, 0, want);
        if (n < 0) break;
        if (done + n > size) {
          throw new TorchArchiveException(archive, name, "entry inflates past its declared size of " + size + " bytes");
        }
        MemorySegment.copy(MemorySegment.ofArray(buf), 0, seg, done, n);
        done += n;
      }
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof TorchArchiveException t) throw t;
      throw new TorchArchiveException(archive, name, "corrupt entry data (" + describe(ex) + ")", ex);
    }
    if (done != size) {
      throw new TorchArchiveException(archive, name, "entry is truncated: " + done + " of " + size + " declared bytes");
    }
    return seg;
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + PyValues.printable(m, 200));
  }

  private static void closeQuietly(ZipFile z) {
    try {
      z.close();
    } catch (IOException ignored) {
      // nothing was written; the failure being reported matters more
    }
  }

  @Override
  public void close() {
    closeQuietly(zip);
  }
}
