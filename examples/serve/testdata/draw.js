// draw.js opens the serve page in headless Chromium, draws a digit on its
// canvas with the mouse, waits for the prediction, prints it as JSON and
// takes a screenshot:
//
//   node draw.js URL DIGIT SCREENSHOT.png
//
// DIGIT is 1 or 7, drawn as a stroke. Chromium is CHROMIUM (default
// /usr/bin/chromium); node finds playwright-core through NODE_PATH.
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

async function main() {
  const [url, digit, screenshot] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'numlearn-chromium-'));
  // A fresh profile folder each run (Chromium's --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1024, height: 420 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    const box = await page.locator('#pad').boundingBox();
    for (const s of strokes[digit]) {
      await page.mouse.move(box.x + s[0][0], box.y + s[0][1]);
      await page.mouse.down();
      for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 12 });
      await page.mouse.up();
    }
    // The last answer is in when the status line shows it and nothing is pending.
    await page.waitForFunction(() => /answered|error/.test(document.getElementById('status').textContent));
    await page.waitForTimeout(300);
    const result = await page.evaluate(() => ({
      digit: document.getElementById('digit').textContent,
      probabilities: [...Array(10).keys()].map((d) => Number(document.getElementById('p' + d).textContent)),
      status: document.getElementById('status').textContent,
    }));
    result.errors = errors;
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
