package dev.weft.ir;

/**
 * Where a node came from: the source file and either a node name (ONNX) or a line/column
 * range (TorchScript, .wir). Every diagnostic about a node prints this.
 */
public record Location(String file, String name, int line, int column) {
  public static final Location UNKNOWN = new Location(null, null, 0, 0);

  public static Location named(String file, String name) { return new Location(file, name, 0, 0); }

  public static Location at(String file, int line, int column) { return new Location(file, null, line, column); }

  public boolean isKnown() { return file != null || name != null || line > 0; }

  @Override
  public String toString() {
    if (!isKnown()) return "<unknown>";
    StringBuilder sb = new StringBuilder();
    if (file != null) sb.append(file);
    if (line > 0) sb.append(':').append(line).append(':').append(column);
    if (name != null) {
      if (!sb.isEmpty()) sb.append(' ');
      sb.append("node '").append(name).append('\'');
    }
    return sb.toString();
  }
}
