package dev.weft.frontend.torchscript;

/**
 * An original source text named by a {@code .debug_pkl} entry: the Python text a TorchScript
 * function was compiled from, its file name ("" when PyTorch recorded none) and the line number
 * of its first line in that file.
 */
public record DebugSource(String text, String filename, long startingLine) {}
