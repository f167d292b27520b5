package dev.weft.frontend.torchscript;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip files by hand for tests, including what {@code ZipOutputStream} refuses to write
 * (duplicate names) or writes truthfully (declared sizes that lie).
 */
class ZipBytes {
  private record Entry(String name, byte[] stored, int method, long crc, long declaredSize) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Exactly these bytes, whatever they are. */
  static ZipBytes raw(byte[] b) {
    return new ZipBytes() {
      @Override
      byte[] bytes() { return b.clone(); }
    };
  }

  ZipBytes stored(String name, byte[] data) {
    entries.add(new Entry(name, data, 0, crc(data), data.length));
    return this;
  }

  ZipBytes deflated(String name, byte[] data) { return deflated(name, data, data.length); }

  /** A deflated entry whose central directory declares {@code declaredSize} uncompressed bytes. */
  ZipBytes deflated(String name, byte[] data, long declaredSize) {
    Deflater d = new Deflater(9, true);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!d.finished()) c.write(buf, 0, d.deflate(buf));
    d.end();
    entries.add(new Entry(name, c.toByteArray(), 8, crc(data), declaredSize));
    return this;
  }

  private static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Long> offsets = new ArrayList<>();
    for (Entry e : entries) {
      offsets.add((long) out.size());
      byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
      le(out, 0x04034b50, 4);
      le(out, 20, 2);
      le(out, 0x800, 2);
      le(out, e.method, 2);
      le(out, 0, 4); // time, date
      le(out, e.crc, 4);
      le(out, e.stored.length, 4);
      le(out, e.declaredSize, 4);
      le(out, name.length, 2);
      le(out, 0, 2);
      out.writeBytes(name);
      out.writeBytes(e.stored);
    }
    long cdStart = out.size();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
      le(out, 0x02014b50, 4);
      le(out, 20, 2);
      le(out, 20, 2);
      le(out, 0x800, 2);
      le(out, e.method, 2);
      le(out, 0, 4);
      le(out, e.crc, 4);
      le(out, e.stored.length, 4);
      le(out, e.declaredSize, 4);
      le(out, name.length, 2);
      le(out, 0, 2); // extra
      le(out, 0, 2); // comment
      le(out, 0, 2); // disk
      le(out, 0, 2); // internal attributes
      le(out, 0, 4); // external attributes
      le(out, offsets.get(i), 4);
      out.writeBytes(name);
    }
    long cdSize = out.size() - cdStart;
    le(out, 0x06054b50, 4);
    le(out, 0, 2);
    le(out, 0, 2);
    le(out, entries.size(), 2);
    le(out, entries.size(), 2);
    le(out, cdSize, 4);
    le(out, cdStart, 4);
    le(out, 0, 2);
    return out.toByteArray();
  }

  private static void le(ByteArrayOutputStream out, long v, int n) {
    for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
  }
}
