package dev.weft.compiler;

import dev.weft.bundle.DType;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Step;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a program's steps in host memory, deciding {@code if} and {@code loop} steps itself and
 * handing every plain step (launch, copy) to the caller: the one place where the Java-side
 * program runners ({@link ProgramEvaluator}, debug-numerics) agree on control-flow semantics
 * with the runtime's Session (docs/KERNELS.md).
 */
public final class HostSteps {
  private HostSteps() {}

  /**
   * @param segment a buffer's current bytes by name (views resolved)
   * @param dtypeOf a buffer's dtype by name
   * @param plain runs one launch or copy
   */
  public static void run(List<Step> steps, Function<String, MemorySegment> segment, Function<String, DType> dtypeOf,
      Consumer<Step> plain) {
    for (Step s : steps) {
      switch (s) {
        case Step.If f -> run(scalar(segment.apply(f.cond()), dtypeOf.apply(f.cond())) != 0 ? f.then() : f.otherwise(),
            segment, dtypeOf, plain);
        case Step.Loop l -> loop(l, segment, dtypeOf, plain);
        case Step.Fail f -> throw new dev.weft.bundle.program.UncompiledBranchException(f.message());
        default -> plain.accept(s);
      }
    }
  }

  private static void loop(Step.Loop l, Function<String, MemorySegment> segment, Function<String, DType> dtypeOf,
      Consumer<Step> plain) {
    long max = l.maxTrips() == null ? Long.MAX_VALUE : scalar(segment.apply(l.maxTrips()), DType.I64);
    long it = 0;
    while (it < max && (l.cond() == null || scalar(segment.apply(l.cond()), DType.BOOL) != 0)) {
      if (l.iter() != null) segment.apply(l.iter()).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, it);
      run(l.body(), segment, dtypeOf, plain);
      for (Step.Scan sc : l.scans()) {
        MemorySegment dst = segment.apply(sc.dst());
        if ((it + 1) * sc.bytes() > dst.byteSize()) {
          throw new WeftException("loop ran more iterations than its scan output \"" + sc.dst() + "\" holds (" + it + ")");
        }
        dst.asSlice(it * sc.bytes(), sc.bytes()).copyFrom(segment.apply(sc.src()).asSlice(0, sc.bytes()));
      }
      it++;
    }
    for (Step.Scan sc : l.scans()) {
      if (sc.bytes() > 0 && it * sc.bytes() != segment.apply(sc.dst()).byteSize()) {
        throw new WeftException("loop ran " + it + " iterations, its scan output \"" + sc.dst() + "\" was compiled for "
            + segment.apply(sc.dst()).byteSize() / sc.bytes());
      }
    }
  }

  /** A one-element bool or integer buffer's value. */
  static long scalar(MemorySegment m, DType t) {
    return switch (t.byteSize()) {
      case 1 -> t.isSigned() ? m.get(ValueLayout.JAVA_BYTE, 0) : m.get(ValueLayout.JAVA_BYTE, 0) & 0xff;
      case 2 -> m.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
      case 4 -> m.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
      case 8 -> m.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
      default -> throw new WeftException("a " + t + " buffer cannot be a condition or trip count");
    };
  }
}
