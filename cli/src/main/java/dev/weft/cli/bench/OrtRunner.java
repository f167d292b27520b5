package dev.weft.cli.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime (Java, CPU provider) in this process, as the yardstick: all graph optimizations
 * on, a fixed intra-op thread count, one inter-op thread, inputs fed by position.
 */
final class OrtRunner implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private List<String> inputNames = List.of();
  private final Map<String, OnnxTensor> feed = new LinkedHashMap<>();

  OrtRunner(Path onnx, int threads, List<Tensor> inputs) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      session = env.createSession(onnx.toString(), o);
    } catch (OrtException e) {
      throw new WeftException(onnx + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
    try {
      inputNames = new ArrayList<>(session.getInputInfo().keySet());
      if (inputNames.size() != inputs.size()) {
        throw new WeftException(onnx + ": ONNX Runtime sees " + inputNames.size() + " input(s) " + inputNames
            + ", the benchmark has " + inputs.size());
      }
      for (int i = 0; i < inputs.size(); i++) feed.put(inputNames.get(i), toOrt(inputs.get(i), inputNames.get(i)));
    } catch (OrtException | RuntimeException e) {
      close();
      if (e instanceof RuntimeException r) throw r;
      throw new WeftException(onnx + ": ONNX Runtime rejects an input: " + e.getMessage(), e);
    }
  }

  /** One run, outputs discarded (for timing). */
  void runDiscarding() {
    try (OrtSession.Result r = session.run(feed)) {
      // Closing the result frees the outputs; the timing is what matters here.
    } catch (OrtException e) {
      throw new WeftException("ONNX Runtime run failed: " + e.getMessage(), e);
    }
  }

  /** One run, tensor outputs copied out by output name, in the model's order. */
  Map<String, Tensor> run() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (OrtSession.Result r = session.run(feed)) {
      for (Map.Entry<String, OnnxValue> e : r) {
        if (e.getValue() instanceof OnnxTensor t) out.put(e.getKey(), fromOrt(t));
      }
    } catch (OrtException e) {
      throw new WeftException("ONNX Runtime run failed: " + e.getMessage(), e);
    }
    return out;
  }

  private OnnxTensor toOrt(Tensor t, String name) throws OrtException {
    OnnxJavaType type = switch (t.dtype()) {
      case F32 -> OnnxJavaType.FLOAT;
      case F64 -> OnnxJavaType.DOUBLE;
      case F16 -> OnnxJavaType.FLOAT16;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case I8 -> OnnxJavaType.INT8;
      case U8 -> OnnxJavaType.UINT8;
      case I16 -> OnnxJavaType.INT16;
      case I32 -> OnnxJavaType.INT32;
      case I64 -> OnnxJavaType.INT64;
      case BOOL -> OnnxJavaType.BOOL;
      default -> throw new WeftException("input '" + name + "' is " + t.dtype() + ": not passed to ONNX Runtime by the benchmark");
    };
    ByteBuffer b = ByteBuffer.allocateDirect((int) t.byteSize()).order(ByteOrder.nativeOrder());
    MemorySegment.ofBuffer(b).copyFrom(t.data());
    return OnnxTensor.createTensor(env, b, t.shape(), type);
  }

  private static Tensor fromOrt(OnnxTensor o) {
    TensorInfo info = o.getInfo();
    // By the Java type: OnnxTensorType's numbering is not the ONNX proto's.
    DType d = switch (info.type) {
      case FLOAT -> DType.F32;
      case DOUBLE -> DType.F64;
      case FLOAT16 -> DType.F16;
      case BFLOAT16 -> DType.BF16;
      case INT8 -> DType.I8;
      case UINT8 -> DType.U8;
      case INT16 -> DType.I16;
      case INT32 -> DType.I32;
      case INT64 -> DType.I64;
      case BOOL -> DType.BOOL;
      default -> throw new WeftException("ONNX Runtime output of type " + info.type + " is not compared");
    };
    Tensor t = Tensor.zeros(d, info.getShape());
    ByteBuffer b = o.getByteBuffer().order(ByteOrder.nativeOrder());
    MemorySegment.copy(MemorySegment.ofBuffer(b), 0, t.data(), 0, t.byteSize());
    return t;
  }

  List<String> inputNames() { return inputNames; }

  @Override
  public void close() {
    feed.values().forEach(OnnxTensor::close);
    try {
      if (session != null) session.close();
    } catch (OrtException e) {
      throw new WeftException("ONNX Runtime session did not close: " + e.getMessage(), e);
    }
  }
}
