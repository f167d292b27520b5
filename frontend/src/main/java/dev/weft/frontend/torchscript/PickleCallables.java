package dev.weft.frontend.torchscript;

import dev.weft.bundle.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * The callables REDUCE may apply ({@link PickleGlobals.Builtin}), implemented here rather than
 * resolved: each checks its arguments and fails with a {@link PickleException}.
 */
final class PickleCallables {
  private PickleCallables() {}

  static Object apply(Unpickler.Callable c, PyTuple args, TensorViews.Budget budget,
      Function<String, PickleException> fail) {
    String fname = c.qualifiedName();
    return switch (c.builtin()) {
      case REBUILD_TENSOR_V2 -> {
        arity(fail, fname, args, 6, 7);
        Unpickler.Storage s = arg(fail, fname, args, 0, Unpickler.Storage.class);
        long offset = arg(fail, fname, args, 1, Long.class);
        long[] size = ints(fail, fname, args, 2);
        long[] stride = ints(fail, fname, args, 3);
        yield TensorViews.materialize(s, offset, size, stride, budget, fail);
      }
      case REBUILD_PARAMETER -> {
        arity(fail, fname, args, 3, 3);
        yield arg(fail, fname, args, 0, Tensor.class);
      }
      case REBUILD_PARAMETER_WITH_STATE -> {
        arity(fail, fname, args, 4, 4);
        yield arg(fail, fname, args, 0, Tensor.class);
      }
      case ORDERED_DICT -> {
        arity(fail, fname, args, 0, 0);
        yield new LinkedHashMap<Object, Object>();
      }
      case BUILD_INTLIST -> typedList(fail, fname, args, Long.class);
      case BUILD_DOUBLELIST -> typedList(fail, fname, args, Double.class);
      case BUILD_BOOLLIST -> typedList(fail, fname, args, Boolean.class);
      case BUILD_TENSORLIST -> typedList(fail, fname, args, Tensor.class);
      case RESTORE_TYPE_TAG -> {
        arity(fail, fname, args, 2, 2);
        arg(fail, fname, args, 1, String.class);
        yield args.get(0);
      }
    };
  }

  private static void arity(Function<String, PickleException> fail, String fname, PyTuple args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw fail.apply(fname + " takes " + (min == max ? "" + min : min + " to " + max) + " arguments, got " + args.size());
    }
  }

  private static <T> T arg(Function<String, PickleException> fail, String fname, PyTuple args, int i, Class<T> type) {
    Object v = args.get(i);
    if (!type.isInstance(v)) {
      throw fail.apply(fname + " argument " + i + " is a " + PyValues.typeName(v) + ", expected " + type.getSimpleName());
    }
    return type.cast(v);
  }

  private static long[] ints(Function<String, PickleException> fail, String fname, PyTuple args, int i) {
    PyTuple t = arg(fail, fname, args, i, PyTuple.class);
    long[] out = new long[t.size()];
    for (int k = 0; k < out.length; k++) {
      if (!(t.get(k) instanceof Long l)) throw fail.apply(fname + " argument " + i + " holds a " + PyValues.typeName(t.get(k)));
      out[k] = l;
    }
    return out;
  }

  private static ArrayList<?> typedList(Function<String, PickleException> fail, String fname, PyTuple args, Class<?> element) {
    arity(fail, fname, args, 1, 1);
    ArrayList<?> list = arg(fail, fname, args, 0, ArrayList.class);
    for (Object o : list) {
      if (!element.isInstance(o)) throw fail.apply(fname + " element is a " + PyValues.typeName(o));
    }
    return list;
  }
}
