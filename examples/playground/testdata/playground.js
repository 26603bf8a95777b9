// playground.js drives the playground page in headless Chromium through
// playwright-core and prints what it read as one JSON line:
//
//   node playground.js URL train STEPS OUTDIR [MODEL [OPTIMIZER]]
//       trains MODEL (default twolayer) for STEPS steps, draws a 7 half way
//       and a 1 and a 7 at the end, saves the model and loads it back
//   node playground.js URL bench STEPS OUTDIR   # the page's steps/s for each network
//
// OUTDIR receives the screenshots (and model.npz, the saved model).
// Chromium is CHROMIUM (default /usr/bin/chromium); node finds
// playwright-core through NODE_PATH.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const strokes = {
  // Points on the 280×280 pad, one stroke each.
  1: [[[150, 40], [145, 100], [140, 160], [136, 240]]],
  7: [[[70, 50], [150, 50], [215, 50], [185, 110], [150, 170], [125, 240]]],
};

async function draw(page, digit) {
  await page.click('#clear');
  const box = await page.locator('#pad').boundingBox();
  const k = box.width / 280;
  for (const s of strokes[digit]) {
    await page.mouse.move(box.x + s[0][0] * k, box.y + s[0][1] * k);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x * k, box.y + y * k, { steps: 12 });
    await page.mouse.up();
  }
  // The answer to the finished drawing: none is awaited any more.
  await page.waitForFunction(() => window.playground.prediction !== null && !window.playground.predicting);
  return page.evaluate(() => ({
    digit: document.getElementById('digit').textContent,
    probabilities: [...Array(10).keys()].map((d) => Number(document.getElementById('p' + d).textContent)),
  }));
}

async function main() {
  const [url, mode, steps, out, model, optimizer] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'numlearn-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const result = { errors: [] };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => result.errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
    await page.goto(url);
    await page.waitForFunction(() => window.playground.ready || window.playground.errors.length, null, { timeout: 120000 });
    result.loadStatus = await page.textContent('#status');
    if (mode === 'bench') {
      result.bench = {};
      for (const model of ['twolayer', 'multilayer', 'convnet']) {
        await page.selectOption('#model', model);
        if (model === 'convnet') await page.selectOption('#optimizer', 'adam');
        await page.evaluate(() => { window.playground.bench = null; });
        // The page's button measures 300 steps (30 for the ConvNet); ask for STEPS here.
        await page.evaluate(([n]) => {
          const s = { type: 'bench', steps: Number(n), model: document.getElementById('model').value,
            optimizer: document.getElementById('optimizer').value, lr: 0, seed: 1, iterations: 0, batch: 100 };
          window.playgroundSend(s);
        }, [model === 'convnet' ? Math.max(1, Math.round(steps / 10)) : steps]);
        await page.waitForFunction(() => window.playground.bench || window.playground.errors.length, null, { timeout: 300000 });
        result.bench[model] = await page.evaluate(() => window.playground.bench);
      }
      await page.screenshot({ path: path.join(out, 'bench.png'), fullPage: true });
    } else {
      if (model) await page.selectOption('#model', model);
      if (optimizer) await page.selectOption('#optimizer', optimizer);
      await page.fill('#iterations', String(steps));
      await page.click('#start');
      // A screenshot mid-run, with a digit on the pad.
      await page.waitForFunction((n) => window.playground.step >= n / 2, Number(steps), { timeout: 600000 });
      result.midDigit = await draw(page, '7');
      result.midStep = await page.evaluate(() => window.playground.step);
      await page.screenshot({ path: path.join(out, 'training.png'), fullPage: true });
      await page.waitForFunction(() => window.playground.done, null, { timeout: 600000 });
      result.done = await page.evaluate(() => window.playground.done);
      result.testAccuracyShown = Number(await page.textContent('#testAcc'));
      result.rateShown = Number(await page.textContent('#rate'));
      result.command = await page.textContent('#command');
      result.losses = await page.evaluate(() => window.playground.losses);
      result.evals = await page.evaluate(() => window.playground.evals);
      result.drawn = {};
      for (const d of ['1', '7']) {
        result.drawn[d] = await draw(page, d);
        await page.screenshot({ path: path.join(out, 'drawn' + d + '.png'), fullPage: true });
      }
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
      await download.saveAs(path.join(out, 'model.npz'));
      // Loading it back: the page evaluates it on the test set.
      await page.setInputFiles('#load', path.join(out, 'model.npz'));
      await page.waitForFunction(() => window.playground.loaded || window.playground.errors.length, null, { timeout: 120000 });
      result.loaded = await page.evaluate(() => window.playground.loaded);
    }
    result.pageErrors = await page.evaluate(() => window.playground.errors);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result));
}

main().catch((err) => { console.error(err); process.exit(1); });
