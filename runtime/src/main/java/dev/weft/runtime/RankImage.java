package dev.weft.runtime;

import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.safetensors.SafetensorsFile;
import dev.weft.runtime.spi.Device;
import java.util.List;

/**
 * One local rank's files, hash-checked and parsed: its program, kernel files and weights
 * (mapped once per bundle and shared by every session).
 */
record RankImage(RankEntry entry, Program program, List<Device.KernelFile> kernels, SafetensorsFile weights) {}
