// Runs ONNX models in ONNX Runtime (onnxruntime-node) for OrtCheckTest.
// argv[2]: jobs.json = [{name, model, inputs: [{name, type, dims, file}], outDir}]
// Writes results.tsv beside jobs.json: 'name\tERROR\tmessage' or 'name\tOK\ttype,dims,file;...' (dims joined by 'x').
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

function load(file, type) {
  const buf = fs.readFileSync(file);
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  const A = ARRAYS[type];
  return new A(ab, 0, buf.length / A.BYTES_PER_ELEMENT);
}

async function main() {
  const jobsFile = process.argv[2];
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  const lines = [];
  for (const job of jobs) {
    try {
      const session = await ort.InferenceSession.create(job.model, { graphOptimizationLevel: 'disabled' });
      const feeds = {};
      for (const inp of job.inputs) feeds[inp.name] = new ort.Tensor(inp.type, load(inp.file, inp.type), inp.dims);
      const out = await session.run(feeds);
      const outputs = [];
      session.outputNames.forEach((n, i) => {
        const t = out[n];
        if (!(t.type in ARRAYS)) throw new Error('output type ' + t.type);
        const file = path.join(job.outDir, 'out_' + i + '.bin');
        const data = t.data;
        fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        outputs.push({ type: t.type, dims: t.dims.map(Number), file });
      });
      lines.push(job.name + '\tOK\t' + outputs.map(o => o.type + ',' + o.dims.join('x') + ',' + o.file).join(';'));
    } catch (e) {
      lines.push(job.name + '\tERROR\t' + String(e && e.message ? e.message : e).split('\n')[0].replace(/\t/g, ' ').slice(0, 300));
    }
  }
  fs.writeFileSync(path.join(path.dirname(jobsFile), 'results.tsv'), lines.join('\n') + '\n');
}
main();
