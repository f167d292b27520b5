package dev.weft.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A pipeline as text, the form the CLI, tests and bug reports share:
 * {@code canonicalize,cse,constant-fold{max-bytes=4096},dce}. Entries are pass names separated
 * by commas, each optionally followed by {@code {key=value,...}}; whitespace is ignored.
 * {@link #toString()} prints the canonical form, which parses back to an equal pipeline.
 */
public record Pipeline(List<Entry> entries) {
  public Pipeline { entries = List.copyOf(entries); }

  /** One pass of the pipeline with the options given to it there. */
  public record Entry(String name, Map<String, String> options) {
    public Entry {
      options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** The entry as pipeline text; a reproducer names it so the failing pass reruns alone. */
    public String text() {
      if (options.isEmpty()) return name;
      StringJoiner j = new StringJoiner(",", name + "{", "}");
      options.forEach((k, v) -> j.add(k + "=" + v));
      return j.toString();
    }
  }

  public static Pipeline parse(String text) {
    if (text == null) throw new PipelineException("no pipeline given");
    return new Parser(text).pipeline();
  }

  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(",");
    for (Entry e : entries) j.add(e.text());
    return j.toString();
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) { this.s = s; }

    Pipeline pipeline() {
      List<Entry> out = new ArrayList<>();
      skipSpace();
      if (pos == s.length()) return new Pipeline(out);   // the empty pipeline runs nothing
      while (true) {
        out.add(entry());
        skipSpace();
        if (pos == s.length()) return new Pipeline(out);
        expect(',');
      }
    }

    private Entry entry() {
      String name = word("a pass name");
      Map<String, String> opts = new LinkedHashMap<>();
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '{') {
        pos++;
        skipSpace();
        while (pos < s.length() && s.charAt(pos) != '}') {
          String key = word("an option name");
          skipSpace();
          expect('=');
          skipSpace();
          String value = value();
          if (opts.put(key, value) != null) throw error("option '" + key + "' is given twice");
          skipSpace();
          if (pos < s.length() && s.charAt(pos) == ',') {
            pos++;
            skipSpace();
          }
        }
        expect('}');
      }
      return new Entry(name, opts);
    }

    private String word(String what) {
      skipSpace();
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '-' || s.charAt(pos) == '_')) pos++;
      if (start == pos) throw error("expected " + what);
      return s.substring(start, pos);
    }

    private String value() {
      int start = pos;
      while (pos < s.length() && ",}{ \t".indexOf(s.charAt(pos)) < 0) pos++;
      if (start == pos) throw error("expected an option value");
      return s.substring(start, pos);
    }

    private void expect(char c) {
      if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
      pos++;
    }

    private void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private PipelineException error(String what) {
      String found = pos < s.length() ? "'" + s.charAt(pos) + "'" : "the end";
      return new PipelineException("pipeline '" + s + "': " + what + " at column " + (pos + 1) + ", found " + found);
    }
  }
}
