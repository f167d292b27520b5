package dev.weft.runtime;

import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Step;
import dev.weft.runtime.cpu.CpuDevice;
import dev.weft.runtime.spi.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a rank of a bundle can run on a device, decided before any device memory is touched
 * (RELIABILITY.md 23). Every difference is reported, not just the first.
 */
final class FitCheck {
  private FitCheck() {}

  /** A matmul's attrs must parse and its operands must hold what the call reads and writes. */
  private static List<String> matmulMisfits(int i, Step.Library l, dev.weft.bundle.program.Program p) {
    LibraryMatmul mm;
    try {
      mm = LibraryMatmul.of(l);
    } catch (IllegalArgumentException e) {
      return List.of("steps[" + i + "] (" + l.library() + ".matmul): " + e.getMessage());
    }
    List<String> out = new ArrayList<>();
    long[] need = {mm.elementsA(), mm.elementsB(), mm.elementsD()};
    for (int j = 0; j < 3; j++) {
      dev.weft.bundle.program.Buffer b = p.buffer(l.args().get(j));
      if (b.dtype() != mm.dtype()) out.add("steps[" + i + "].args[" + j + "]: buffer \"" + b.name() + "\" is " + b.dtype() + ", the matmul " + mm.dtype());
      else if (b.bytes() < need[j] * mm.dtype().byteSize()) {
        out.add("steps[" + i + "].args[" + j + "]: buffer \"" + b.name() + "\" has " + b.bytes() + " bytes, the matmul reads or writes "
            + need[j] * mm.dtype().byteSize());
      }
    }
    return out;
  }

  static List<String> misfits(Manifest m, List<RankEntry> localRanks, RankImage rank, Device device) {
    List<String> out = new ArrayList<>();
    if (!m.target().kind().equals(device.kind())) {
      out.add("bundle targets " + m.target().kind() + " " + m.target().arch() + ", the device is " + device.description());
      return out; // Architecture and image checks of another kind would only add noise.
    }
    for (RankEntry r : localRanks) {
      if (r.device() >= device.count()) {
        out.add("rank " + r.rank() + " runs on " + device.kind() + " device " + r.device() + ", this machine has "
            + device.count());
      }
    }
    Toolchain tc = m.toolchain();
    String abi = tc.component(Toolchain.KERNEL_ABI);
    if (abi == null) {
      out.add("toolchain names no " + Toolchain.KERNEL_ABI + " version");
    } else if (!abi.equals(Integer.toString(CpuDevice.KERNEL_ABI))) {
      out.add("kernel ABI " + abi + ", this runtime speaks " + CpuDevice.KERNEL_ABI);
    }
    // Nested steps (if branches, loop bodies) are numbered in flattened run order.
    List<Step> steps = Step.flatten(rank.program().steps());
    for (int i = 0; i < steps.size(); i++) {
      switch (steps.get(i)) {
        case Step.Library l when !LibraryMatmul.isMatmul(l) -> out.add("steps[" + i + "]: library call " + l.library() + "."
            + l.call() + " is not supported by this runtime");
        case Step.Library l -> {
          String why = device.matmulUnsupported();
          if (why != null) out.add("steps[" + i + "] (" + l.library() + ".matmul): " + why);
          out.addAll(matmulMisfits(i, l, rank.program()));
        }
        case Step.Collective c -> out.add("steps[" + i + "]: collective " + c.collective()
            + " needs a communicator, which this runtime does not have yet");
        case Step.Launch l when l.geometry() == null && !device.kind().equals("cpu") -> out.add("steps[" + i
            + "] (launch " + l.kernel() + "): no grid/block for a " + device.kind() + " launch");
        default -> {}
      }
    }
    out.addAll(device.misfits(m.target(), tc, rank.entry().kernels()));
    return out;
  }
}
