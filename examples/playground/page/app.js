// app.js is the playground page: controls, charts, weight tiles and the
// drawing pad. All computing happens in worker.js's WebAssembly module;
// this file only sends it commands and draws what it answers.
'use strict';
const $ = (id) => document.getElementById(id);
const worker = new Worker('worker.js');

// state is everything the page has been told, kept for the charts and
// for tests (window.playground).
const state = {
  ready: false, running: false, losses: [], evals: [], rate: 0, step: 0, iterations: 0,
  prediction: null, errors: [], done: null, bench: null, loaded: null, settings: null,
  predicting: false, // whether a drawing waits for its prediction
};
window.playground = state;

function send(cmd, transfer) { worker.postMessage(cmd, transfer || []); }
window.playgroundSend = send;

function setStatus(text) { $('status').textContent = text; }

function floats64(u8) { return new Float64Array(u8.buffer, u8.byteOffset, u8.byteLength / 8); }
function floats32(u8) { return new Float32Array(u8.buffer, u8.byteOffset, u8.byteLength / 4); }

function setRunning(on) {
  state.running = on;
  $('start').disabled = !state.ready;
  $('stop').disabled = !on;
  $('bench').disabled = on || !state.ready;
}

worker.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'status': setStatus(m.text); break;
    case 'ready':
      state.ready = true;
      setStatus('MNIST loaded in the browser: ' + m.train + ' training and ' + m.test + ' test images (read in ' + m.seconds.toFixed(1) + ' s). Choose a network and start.');
      setRunning(false);
      break;
    case 'started':
      state.settings = m; state.losses = []; state.evals = []; state.done = null; state.step = 0; state.iterations = m.iterations;
      $('total').textContent = m.iterations;
      $('command').textContent = m.command ? 'The same run natively: ' + m.command : '';
      $('testAcc').textContent = $('trainAcc').textContent = '–';
      $('save').disabled = false;
      setStatus('training ' + $('model').selectedOptions[0].textContent + ' with ' + m.optimizer + ', learning rate ' + m.lr + ', seed ' + m.seed);
      setRunning(true);
      redraw();
      break;
    case 'progress': {
      for (const v of floats64(m.losses)) state.losses.push(v);
      state.step = m.step; state.rate = m.stepsPerSecond;
      $('step').textContent = m.step;
      $('epoch').textContent = m.epoch.toFixed(2);
      if (m.stepsPerSecond > 0) $('rate').textContent = m.stepsPerSecond.toFixed(1);
      $('loss').textContent = state.losses[state.losses.length - 1].toFixed(4);
      $('elapsed').textContent = m.elapsed.toFixed(1);
      repredict();
      redraw();
      break;
    }
    case 'eval':
      state.evals.push(m);
      $('testAcc').textContent = m.testAccuracy.toFixed(4);
      $('trainAcc').textContent = m.trainAccuracy.toFixed(4);
      redraw();
      break;
    case 'tiles': drawTiles(m); break;
    case 'done':
      state.done = m;
      setRunning(false);
      setStatus(m.error ? 'training failed: ' + m.error : (m.stopped || 'done') + ': ' + m.steps + ' steps in ' + (m.trainSeconds || 0).toFixed(1) + ' s of steps');
      repredict(true);
      break;
    case 'prediction': showPrediction(m.probabilities); break;
    case 'model': {
      const url = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url; a.download = 'model.npz';
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      break;
    }
    case 'loaded':
      state.loaded = m;
      $('save').disabled = false;
      setStatus('model loaded' + (m.testAccuracy !== undefined ? ': test accuracy ' + m.testAccuracy.toFixed(4) +
        (m.testSamples ? ' on the first ' + m.testSamples + ' test images' : '') : ''));
      repredict(true);
      break;
    case 'bench':
      state.bench = m;
      $('benchResult').textContent = m.model + ': ' + m.stepsPerSecond.toFixed(1) + ' steps/s over ' + m.steps + ' steps';
      setRunning(false);
      break;
    case 'error':
      state.errors.push(m);
      if (m.command === 'predict') pending = state.predicting = false;
      if (m.command === 'bench') setRunning(false);
      setStatus('error (' + m.command + '): ' + m.message);
      break;
  }
};

function settings() {
  return {
    model: $('model').value, optimizer: $('optimizer').value, lr: Number($('lr').value) || 0,
    seed: Number($('seed').value) || 1, iterations: Number($('iterations').value) || 10000, batch: Number($('batch').value) || 100,
  };
}
$('start').onclick = () => send(Object.assign({ type: 'start' }, settings()));
$('stop').onclick = () => send({ type: 'stop' });
$('save').onclick = () => send({ type: 'save' });
$('bench').onclick = () => {
  setRunning(true); $('stop').disabled = true;
  $('benchResult').textContent = 'measuring…';
  send(Object.assign({ type: 'bench', steps: $('model').value === 'convnet' ? 30 : 300 }, settings()));
};
$('load').onchange = async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  send({ type: 'load', bytes }, [bytes.buffer]);
  e.target.value = '';
};

// Charts, drawn by hand on canvases sized to their CSS box.
function fit(canvas) {
  const r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
  const w = Math.round(r.width * dpr), h = Math.round(r.height * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, r.width, r.height);
  return { ctx, w: r.width, h: r.height };
}

// axes draws a frame with ticks at round values and returns the
// functions from data to canvas coordinates.
function axes(ctx, w, h, x0, x1, y0, y1, xLabel) {
  const L = 44, R = 18, T = 8, B = 26;
  const X = (x) => L + (x - x0) / (x1 - x0 || 1) * (w - L - R);
  const Y = (y) => T + (1 - (y - y0) / (y1 - y0 || 1)) * (h - T - B);
  ctx.strokeStyle = '#ddd'; ctx.fillStyle = '#666'; ctx.font = '11px system-ui'; ctx.lineWidth = 1;
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  const ys = niceStep((y1 - y0) / 4);
  for (let y = Math.ceil(y0 / ys - 1e-9) * ys; y <= y1 + 1e-9; y += ys) {
    ctx.beginPath(); ctx.moveTo(L, Y(y)); ctx.lineTo(w - R, Y(y)); ctx.stroke();
    ctx.fillText(String(+y.toFixed(3)), L - 4, Y(y));
  }
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  const xs = niceStep((x1 - x0) / 6);
  for (let x = Math.ceil(x0 / xs - 1e-9) * xs; x <= x1 + 1e-9; x += xs) ctx.fillText(String(+x.toFixed(3)), X(x), h - B + 4);
  ctx.textAlign = 'right'; ctx.fillText(xLabel, w - R, h - 12);
  ctx.strokeStyle = '#999'; ctx.strokeRect(L, T, w - L - R, h - T - B);
  return { X, Y };
}

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawLoss() {
  const { ctx, w, h } = fit($('lossChart'));
  const ls = state.losses, n = Math.max(ls.length, state.iterations || 1);
  let top = 0;
  for (const v of ls) if (Number.isFinite(v)) top = Math.max(top, v);
  top = Math.min(Math.max(top, 0.5), 3);
  const { X, Y } = axes(ctx, w, h, 0, n, 0, top, 'step');
  if (!ls.length) return;
  // One column per pixel: the range of its steps' losses, light, and their mean.
  const cols = Math.max(1, Math.floor(X(n) - X(0)));
  const per = n / cols;
  ctx.strokeStyle = 'rgba(31,119,180,0.25)'; ctx.beginPath();
  const means = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor(c * per), b = Math.min(ls.length, Math.max(a + 1, Math.floor((c + 1) * per)));
    if (a >= ls.length) break;
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (let i = a; i < b; i++) { lo = Math.min(lo, ls[i]); hi = Math.max(hi, ls[i]); sum += ls[i]; }
    ctx.moveTo(X(a) + 0.5, Y(Math.min(lo, top))); ctx.lineTo(X(a) + 0.5, Y(Math.min(hi, top)));
    means.push([a, sum / (b - a)]);
  }
  ctx.stroke();
  ctx.strokeStyle = '#1f77b4'; ctx.lineWidth = 1.5; ctx.beginPath();
  means.forEach(([i, v], k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(i), Y(Math.min(v, top))));
  ctx.stroke();
}

function drawAccuracy() {
  const { ctx, w, h } = fit($('accChart'));
  const ev = state.evals;
  const perEpoch = state.settings ? 60000 / state.settings.batch : 600;
  const last = Math.max(1, (state.iterations || 1) / perEpoch);
  let lo = 0.8;
  for (const e of ev) for (const v of [e.trainAccuracy, e.testAccuracy]) if (Number.isFinite(v)) lo = Math.min(lo, Math.floor(v * 10) / 10);
  const { X, Y } = axes(ctx, w, h, 0, last, lo, 1, 'epoch');
  for (const [key, color] of [['trainAccuracy', '#1f77b4'], ['testAccuracy', '#e6550d']]) {
    const pts = ev.filter((e) => Number.isFinite(e[key]));
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 1.5; ctx.setLineDash(key === 'trainAccuracy' ? [] : [5, 3]); ctx.beginPath();
    pts.forEach((e, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(e.epoch), Y(Math.max(lo, e[key]))));
    ctx.stroke();
    ctx.setLineDash([]);
    for (const e of pts) { ctx.beginPath(); ctx.arc(X(e.epoch), Y(Math.max(lo, e[key])), 2.5, 0, 2 * Math.PI); ctx.fill(); }
  }
}

let frame = 0;
function redraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; drawLoss(); drawAccuracy(); });
}
window.addEventListener('resize', redraw);

// drawTiles shows the first layer's weights, each tile scaled to its own
// largest magnitude: white positive, black negative, gray zero.
function drawTiles(m) {
  const v = floats32(m.values), side = m.side, n = m.count;
  if (!n) return;
  const scale = side >= 28 ? 2 : 8, gap = 2, perRow = 10;
  const rows = Math.ceil(n / perRow), cell = side * scale + gap;
  const canvas = $('tiles');
  canvas.width = perRow * cell; canvas.height = rows * cell;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(side, side);
  const tmp = document.createElement('canvas'); tmp.width = tmp.height = side;
  const tctx = tmp.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < side * side; i++) {
      const g = Math.round(128 + 127 * v[k * side * side + i]);
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g; img.data[4 * i + 3] = 255;
    }
    tctx.putImageData(img, 0, 0);
    ctx.drawImage(tmp, (k % perRow) * cell, Math.floor(k / perRow) * cell, side * scale, side * scale);
  }
  $('tilesTitle').textContent = side >= 28
    ? "First layer's weights: one 28×28 tile per hidden unit (first " + n + ')'
    : 'Convolution filters: ' + n + ' of ' + side + '×' + side;
}

// The drawing pad, as examples/serve's: white strokes on black, scaled
// to 28×28 and centred as MNIST's digits are.
const pad = $('pad'), pctx = pad.getContext('2d'), preview = $('preview').getContext('2d');
const bars = [];
for (let d = 0; d < 10; d++) {
  const label = document.createElement('div'); label.textContent = d;
  const bar = document.createElement('div'); bar.className = 'b'; bar.append(document.createElement('div'));
  const value = document.createElement('div'); value.id = 'p' + d; value.textContent = '0.000';
  $('bars').append(label, bar, value);
  bars.push({ bar, value });
}
let inked = false;
function clearPad() {
  pctx.fillStyle = '#000'; pctx.fillRect(0, 0, pad.width, pad.height);
  preview.fillStyle = '#000'; preview.fillRect(0, 0, 28, 28);
  inked = false; state.prediction = null; state.predicting = false;
  $('digit').textContent = '–';
  for (const b of bars) { b.bar.firstChild.style.width = '0'; b.value.textContent = '0.000'; b.bar.classList.remove('top'); }
}
clearPad();
$('clear').onclick = clearPad;

let drawing = false, lastPoint = null;
function point(e) {
  const r = pad.getBoundingClientRect();
  return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
}
pad.addEventListener('pointerdown', (e) => { drawing = true; lastPoint = point(e); pad.setPointerCapture(e.pointerId); stroke(lastPoint); });
pad.addEventListener('pointermove', (e) => { if (drawing) stroke(point(e)); });
for (const ev of ['pointerup', 'pointercancel']) pad.addEventListener(ev, () => { if (drawing) { drawing = false; repredict(true); } });
function stroke(p) {
  pctx.strokeStyle = '#fff'; pctx.lineWidth = 20; pctx.lineCap = 'round'; pctx.lineJoin = 'round';
  pctx.beginPath(); pctx.moveTo(lastPoint.x, lastPoint.y); pctx.lineTo(p.x + 0.01, p.y); pctx.stroke();
  lastPoint = p; inked = true;
  repredict(true);
}

function toMNIST() {
  const W = pad.width, H = pad.height;
  const src = pctx.getImageData(0, 0, W, H).data;
  let minX = W, minY = H, maxX = -1, maxY = -1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    if (src[(y * W + x) * 4] > 0) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
  }
  if (maxX < 0) return null;
  const bw = maxX - minX + 1, bh = maxY - minY + 1, s = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
  const sum = new Float64Array(tw * th), count = new Float64Array(tw * th);
  for (let y = minY; y <= maxY; y++) {
    const ty = Math.min(th - 1, Math.floor((y - minY) * th / bh));
    for (let x = minX; x <= maxX; x++) {
      const tx = Math.min(tw - 1, Math.floor((x - minX) * tw / bw));
      sum[ty * tw + tx] += src[(y * W + x) * 4] / 255; count[ty * tw + tx]++;
    }
  }
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < tw * th; i++) {
    sum[i] /= count[i] || 1;
    mass += sum[i]; mx += sum[i] * (i % tw + 0.5); my += sum[i] * (Math.floor(i / tw) + 0.5);
  }
  const clamp = (v, hi) => Math.max(0, Math.min(hi, v));
  const ox = clamp(Math.round(14 - mx / mass), 28 - tw), oy = clamp(Math.round(14 - my / mass), 28 - th);
  const pixels = new Array(784).fill(0);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) pixels[(y + oy) * 28 + x + ox] = Math.min(1, sum[y * tw + x]);
  return pixels;
}

// repredict asks for the drawing's probabilities: at once when the
// drawing changed (now), else at most twice a second as the model trains.
// One request is out at a time.
let pending = false, dirty = false, lastAsk = 0;
function repredict(now) {
  if (!inked || !(state.ready && (state.settings || state.loaded))) return;
  if (now) dirty = state.predicting = true;
  if (pending || (!dirty && performance.now() - lastAsk < 500)) return;
  const pixels = toMNIST();
  if (!pixels) return;
  dirty = false; pending = state.predicting = true; lastAsk = performance.now();
  const img = preview.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = Math.round(pixels[i] * 255); img.data[4 * i + 3] = 255;
  }
  preview.putImageData(img, 0, 0);
  send({ type: 'predict', pixels });
}

function showPrediction(p) {
  pending = state.predicting = false;
  let best = 0;
  p.forEach((v, d) => { if (v > p[best]) best = d; });
  state.prediction = { digit: best, probabilities: p };
  $('digit').textContent = best;
  p.forEach((v, d) => {
    bars[d].bar.firstChild.style.width = (100 * v).toFixed(1) + '%';
    bars[d].value.textContent = v.toFixed(3);
    bars[d].bar.classList.toggle('top', d === best);
  });
  if (dirty) repredict();
}
