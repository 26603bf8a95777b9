// worker.js runs the playground's WebAssembly module off the page's
// thread: it starts the module, fetches the four MNIST files (gunzipped
// by the browser where it can), hands them to the module, and from then
// on passes the page's commands to the module. The module answers with
// postMessage itself.
'use strict';
importScripts('wasm_exec.js');

const queue = [];
let started = false;

self.onmessage = (e) => {
  if (started) self.playgroundCommand(e.data);
  else queue.push(e.data);
};

const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

// fetchFile returns one MNIST file's bytes, decompressed when the browser
// has a DecompressionStream (the module reads gzip too, more slowly).
async function fetchFile(name, progress) {
  const resp = await fetch('mnist/' + name + '.gz');
  if (!resp.ok) throw new Error('mnist/' + name + '.gz: ' + resp.status + ' ' + resp.statusText);
  let body = resp.body;
  const reader = body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    progress(value.length);
  }
  let blob = new Blob(chunks);
  if (typeof DecompressionStream !== 'undefined') {
    blob = await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
  }
  return new Uint8Array(await blob.arrayBuffer());
}

async function main() {
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch('main.wasm'), go.importObject);
  go.run(instance); // returns when the module exits, which it does not
  postMessage({ type: 'status', text: 'downloading MNIST…' });
  let got = 0;
  const t0 = performance.now();
  const data = await Promise.all(files.map((f) => fetchFile(f, (n) => {
    got += n;
    postMessage({ type: 'status', text: 'downloading MNIST… ' + (got / 1e6).toFixed(1) + ' MB' });
  })));
  postMessage({ type: 'status', text: 'reading MNIST (' + ((performance.now() - t0) / 1000).toFixed(1) + ' s to download)…' });
  started = true;
  self.playgroundCommand({ type: 'data', trainImages: data[0], trainLabels: data[1], testImages: data[2], testLabels: data[3] });
  for (const c of queue.splice(0)) self.playgroundCommand(c);
}

main().catch((err) => postMessage({ type: 'error', command: 'start-up', message: String(err) }));
