package dev.weft.frontend.onnx;

/**
 * A group of ONNX op handlers, found with {@link java.util.ServiceLoader}. Each library
 * registers the ops of one family (elementwise, shape, nn, ...) into the shared table; a user's
 * custom-op module registers the same way.
 */
public interface OnnxOpLibrary {
  void register(OnnxOpTable table);
}
