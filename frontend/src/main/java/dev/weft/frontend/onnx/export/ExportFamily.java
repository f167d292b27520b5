package dev.weft.frontend.onnx.export;

/** One file of the export table: the rules of one op family. */
interface ExportFamily {
  void register(ExportTable t);
}
