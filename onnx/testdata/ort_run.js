// ort_run.js runs an ONNX model in ONNX Runtime (the onnxruntime-node npm
// package, CPU) for the tests of package onnx:
//
//   node ort_run.js model.onnx input.bin output.bin float32|float64 N D1 [D2 …]
//
// input.bin holds the input's values as little-endian float64, whatever the
// model's element type; output.bin receives the model's output the same way.
// Node finds onnxruntime-node through NODE_PATH.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, output, type, ...dims] = process.argv.slice(2);
  const shape = dims.map(Number);
  const raw = fs.readFileSync(input);
  const f64 = new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
  const data = type === 'float64' ? Float64Array.from(f64) : Float32Array.from(f64);
  const session = await ort.InferenceSession.create(model);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(type, data, shape) };
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  fs.writeFileSync(output, Buffer.from(Float64Array.from(out.data).buffer));
  console.log(JSON.stringify({ dims: out.dims, type: out.type }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
