package dev.weft.frontend.torchscript;

/**
 * One record of a {@code .debug_pkl} entry: code generated at and after {@code byteOffset} of the
 * {@code code/} file (up to the next record's offset) came from {@code source} characters
 * {@code [start, end)}. {@code tag} is PyTorch's source-range tag, -1 when none.
 */
public record SourceRangeRecord(long byteOffset, DebugSource source, long start, long end, long tag) {
  /** The original text of the range, clamped to the source. */
  public String text() {
    int len = source.text().length();
    int s = (int) Math.clamp(start, 0, len);
    int e = (int) Math.clamp(end, s, len);
    return source.text().substring(s, e);
  }

  /** 1-based line of {@code start} in the original file. */
  public long line() {
    String t = source.text();
    int s = (int) Math.clamp(start, 0, t.length());
    long line = source.startingLine();
    for (int i = 0; i < s; i++) if (t.charAt(i) == '\n') line++;
    return line;
  }
}
