package dev.weft.frontend.onnx.export;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.weft.bundle.DType;
import dev.weft.bundle.Json;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.Conformance;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTensors;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional: runs the original and the exported model of every node test in ONNX Runtime
 * (onnxruntime-node; {@code -Dweft.ortnode=/path/to/node_modules}) and counts the tests ORT
 * passes on the original but not on Weft's export. Skipped, loudly, without node and ORT.
 */
class OrtCheckTest {
  @TempDir Path tmp;

  private static final Map<DType, String> ORT_TYPES = Map.ofEntries(Map.entry(DType.F32, "float32"), Map.entry(DType.F64, "float64"),
      Map.entry(DType.I8, "int8"), Map.entry(DType.U8, "uint8"), Map.entry(DType.I16, "int16"), Map.entry(DType.U16, "uint16"),
      Map.entry(DType.I32, "int32"), Map.entry(DType.U32, "uint32"), Map.entry(DType.I64, "int64"), Map.entry(DType.U64, "uint64"),
      Map.entry(DType.BOOL, "bool"));

  record Case(String name, List<Object> expected) {}

  static Path ortNode() {
    String p = System.getProperty("weft.ortnode", System.getenv().getOrDefault("WEFT_ORTNODE", ""));
    if (p.isBlank()) return null;
    Path dir = Path.of(p);
    return Files.isDirectory(dir.resolve("onnxruntime-node")) ? dir : null;
  }

  @Test
  void exportedNodeTestsRunInOnnxRuntime() throws Exception {
    Path modules = ortNode();
    if (modules == null) System.out.println("[weft] SKIPPED ONNX Runtime check: set -Dweft.ortnode=DIR (a node_modules with onnxruntime-node)");
    assumeTrue(modules != null, "no onnxruntime-node");
    Path node = ExportRoundTripTest.corpus().resolve("onnx-backend/node");
    assumeTrue(Files.isDirectory(node), "no node-test corpus");
    StringBuilder jobs = new StringBuilder("[");
    List<Case> cases = new ArrayList<>();
    for (Path dir : Conformance.discover(node)) {
      String name = dir.getFileName().toString();
      try {
        ModelProto orig = OnnxModelReader.read(dir.resolve("model.onnx")).proto();
        Module m = OnnxImporter.importModel(OnnxModelReader.read(dir.resolve("model.onnx")));
        GraphProto g = orig.getGraph();
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) inits.add(t.getName());
        List<ValueInfoProto> ins = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
        Path set = dir.resolve("test_data_set_0");
        List<Object> inputs = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) inputs.add(OnnxTestData.read(set.resolve("input_" + i + ".pb"), ins.get(i).getType()));
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < g.getOutputCount(); i++) expected.add(OnnxTestData.read(set.resolve("output_" + i + ".pb"), g.getOutput(i).getType()));
        if (!simple(inputs) || !simple(expected)) continue;
        Path work = Files.createDirectories(tmp.resolve(name));
        ModelProto exported = OnnxExporter.write(m, work.resolve("exported.onnx"), false, OnnxExporter.Options.defaults()).model();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
          Path f = work.resolve("in_" + i + ".bin");
          Files.write(f, OnnxTensors.rawBytes((Tensor) inputs.get(i)));
          files.add(f.toString());
        }
        job(jobs, name + "#orig", dir.resolve("model.onnx"), ins.stream().map(ValueInfoProto::getName).toList(), inputs, files,
            Files.createDirectories(work.resolve("orig")));
        job(jobs, name + "#export", work.resolve("exported.onnx"),
            exported.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList(), inputs, files,
            Files.createDirectories(work.resolve("export")));
        cases.add(new Case(name, expected));
      } catch (RuntimeException e) {
        // not importable by Weft: nothing to export
      }
    }
    jobs.setCharAt(jobs.length() - 1, ']');
    Path jobsFile = tmp.resolve("jobs.json");
    Files.writeString(jobsFile, jobs.toString());
    Path script = tmp.resolve("ort_run.js");
    try (InputStream in = OrtCheckTest.class.getResourceAsStream("ort_run.js")) {
      Files.copy(in, script);
    }
    ProcessBuilder pb = new ProcessBuilder("node", script.toString(), jobsFile.toString()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("node.log").toFile());
    pb.environment().put("NODE_PATH", modules.toString());
    Process p = pb.start();
    assumeTrue(p.waitFor(20, TimeUnit.MINUTES) && p.exitValue() == 0, "node failed: " + Files.readString(tmp.resolve("node.log")));
    Map<String, String[]> results = new HashMap<>();
    for (String line : Files.readAllLines(tmp.resolve("results.tsv"))) {
      String[] f = line.split("\t", 3);
      if (f.length == 3) results.put(f[0], f);
    }
    int origPass = 0, exportPass = 0;
    TreeMap<String, String> regressions = new TreeMap<>();
    TreeMap<String, String> weftOnly = new TreeMap<>();
    for (Case c : cases) {
      String o = verdict(results.get(c.name() + "#orig"), c.expected());
      String e = verdict(results.get(c.name() + "#export"), c.expected());
      if (o == null) origPass++;
      if (e == null) exportPass++;
      if (o == null && e != null) (e.contains(ExportContext.WEFT_DOMAIN + ":") ? weftOnly : regressions).put(c.name(), e);
    }
    StringBuilder report = new StringBuilder("ONNX Runtime on " + cases.size() + " node tests: original passes " + origPass
        + ", Weft's export passes " + exportPass + "; pass on the original only: " + weftOnly.size()
        + " with dev.weft ops (" + String.join(", ", weftOnly.keySet()) + "), " + regressions.size() + " others\n");
    regressions.forEach((k, v) -> report.append(k).append(": ").append(v).append('\n'));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/export-ort.txt"), report.toString());
    System.out.println("[weft] " + report.toString().trim().replace("\n", "\n[weft]   "));
    assertTrue(regressions.size() <= MAX_REGRESSIONS, regressions.size() + " exported node tests fail in ORT although the original passes");
  }

  /**
   * The export may not fail where ORT passes the original, except on ops written in the
   * dev.weft domain on purpose (listed with a warning at export): measured with ORT 1.30, 32
   * such tests (bitcast and cum_prod need opsets 26/27, batched Scan-8, GQA attention whose
   * decomposition does not handle kv heads != q heads).
   */
  static final int MAX_REGRESSIONS = 0;

  private static boolean simple(List<Object> vs) {
    for (Object v : vs) if (!(v instanceof Tensor t) || !ORT_TYPES.containsKey(t.dtype())) return false;
    return true;
  }

  private static void job(StringBuilder sb, String name, Path model, List<String> names, List<Object> inputs, List<String> files, Path outDir) {
    Json.Obj j = new Json.Obj();
    StringBuilder s = new StringBuilder("{\"name\":");
    Json.quote(s, name);
    s.append(",\"model\":");
    Json.quote(s, model.toString());
    s.append(",\"outDir\":");
    Json.quote(s, outDir.toString());
    s.append(",\"inputs\":[");
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = (Tensor) inputs.get(i);
      if (i > 0) s.append(',');
      s.append("{\"name\":");
      Json.quote(s, names.get(i));
      s.append(",\"type\":\"").append(ORT_TYPES.get(t.dtype())).append("\",\"dims\":").append(java.util.Arrays.toString(t.shape()))
          .append(",\"file\":");
      Json.quote(s, files.get(i));
      s.append('}');
    }
    s.append("]}");
    sb.append(s).append(',');
  }

  /** Null when ORT's outputs match the test's, else why not. */
  private static String verdict(String[] r, List<Object> expected) throws IOException {
    if (r == null) return "no result";
    if (r[1].equals("ERROR")) return "ORT error: " + r[2];
    String[] outs = r[2].isEmpty() ? new String[0] : r[2].split(";");
    if (outs.length != expected.size()) return outs.length + " outputs, expected " + expected.size();
    for (int i = 0; i < outs.length; i++) {
      String[] f = outs[i].split(",", 3);
      DType d = ORT_TYPES.entrySet().stream().filter(e -> e.getValue().equals(f[0])).findFirst().orElseThrow().getKey();
      TensorProto.Builder tp = TensorProto.newBuilder().setDataType(d.onnxCode()).setRawData(ByteString.copyFrom(Files.readAllBytes(Path.of(f[2]))));
      if (!f[1].isEmpty()) for (String dim : f[1].split("x")) tp.addDims(Long.parseLong(dim));
      String diff = OnnxBackendRunner.compare(expected.get(i), OnnxTensors.decode(tp.build(), "ort"), 1e-3, 1e-7);
      if (diff != null) return "output " + i + ": " + diff;
    }
    return null;
  }
}
