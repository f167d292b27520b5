package dev.weft.frontend.torchscript;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an unpickled {@code .debug_pkl} value (PyTorch's source_range_serialization): either a
 * tuple of {@code (byte_offset, ((text, filename|None, starting_line), start, end), tag?)} records,
 * or, in the compact format, {@code ("FORMAT_WITH_STRING_TABLE", text_table, records)} where a
 * source is {@code (line_text_indices, filename_index, starting_line)} into the text table.
 */
final class DebugPickles {
  private DebugPickles() {}

  static final String STRING_TABLE_FORMAT = "FORMAT_WITH_STRING_TABLE";

  /** Thrown with a message saying what in the structure is wrong. */
  static final class Malformed extends Exception {
    Malformed(String message) { super(message, null, false, false); }
  }

  /**
   * @param maxChars bound on the text of all sources together: the compact format repeats table
   *     entries by index, so a small pickle could otherwise expand without limit
   */
  static List<SourceRangeRecord> decode(Object value, long maxChars) throws Malformed {
    long[] chars = {maxChars};
    PyTuple top = as(value, PyTuple.class, "the debug info");
    List<String> table = null;
    PyTuple records = top;
    if (top.size() == 3 && STRING_TABLE_FORMAT.equals(top.get(0))) {
      PyTuple t = as(top.get(1), PyTuple.class, "the string table");
      table = new ArrayList<>(t.size());
      for (Object o : t.items()) table.add(as(o, String.class, "a string table entry"));
      records = as(top.get(2), PyTuple.class, "the records");
    }
    Map<Object, DebugSource> sources = new IdentityHashMap<>();
    List<SourceRangeRecord> out = new ArrayList<>(records.size());
    for (Object r : records.items()) {
      PyTuple rec = as(r, PyTuple.class, "a record");
      if (rec.size() != 2 && rec.size() != 3) throw new Malformed("a record has " + rec.size() + " fields, not 2 or 3");
      long offset = as(rec.get(0), Long.class, "a record's byte offset");
      long tag = rec.size() == 3 ? as(rec.get(2), Long.class, "a record's tag") : -1;
      PyTuple range = as(rec.get(1), PyTuple.class, "a source range");
      if (range.size() != 3) throw new Malformed("a source range has " + range.size() + " fields, not 3");
      DebugSource src = sources.get(range.get(0));
      if (src == null) {
        src = source(range.get(0), table, chars);
        sources.put(range.get(0), src);
      }
      out.add(new SourceRangeRecord(offset, src, as(range.get(1), Long.class, "a range start"),
          as(range.get(2), Long.class, "a range end"), tag));
    }
    return List.copyOf(out);
  }

  private static DebugSource source(Object v, List<String> table, long[] chars) throws Malformed {
    PyTuple s = as(v, PyTuple.class, "a source");
    if (s.size() != 3) throw new Malformed("a source has " + s.size() + " fields, not 3");
    long line = as(s.get(2), Long.class, "a source's starting line");
    if (table == null) {
      String text = as(s.get(0), String.class, "a source's text");
      charge(chars, text.length());
      String filename = s.get(1) == PyNone.NONE ? "" : as(s.get(1), String.class, "a source's file name");
      return new DebugSource(text, filename, line);
    }
    List<?> lines = as(s.get(0), java.util.ArrayList.class, "a source's line list");
    StringBuilder text = new StringBuilder();
    for (Object i : lines) {
      String piece = tableEntry(table, as(i, Long.class, "a line index"));
      charge(chars, piece.length());
      text.append(piece);
    }
    return new DebugSource(text.toString(), tableEntry(table, as(s.get(1), Long.class, "a file name index")), line);
  }

  private static void charge(long[] chars, long n) throws Malformed {
    chars[0] -= n;
    if (chars[0] < 0) throw new Malformed("the sources expand to more text than the limit");
  }

  private static String tableEntry(List<String> table, long i) throws Malformed {
    if (i < 0 || i >= table.size()) throw new Malformed("string table index " + i + " out of " + table.size());
    return table.get((int) i);
  }

  private static <T> T as(Object v, Class<T> type, String what) throws Malformed {
    if (!type.isInstance(v)) throw new Malformed(what + " is a " + PyValues.typeName(v) + ", not " + type.getSimpleName());
    return type.cast(v);
  }
}
