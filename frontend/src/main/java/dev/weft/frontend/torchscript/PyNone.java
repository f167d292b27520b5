package dev.weft.frontend.torchscript;

/** Python's {@code None} as unpickled from an archive; Java {@code null} never appears in values. */
public enum PyNone {
  NONE;

  @Override
  public String toString() { return "None"; }
}
