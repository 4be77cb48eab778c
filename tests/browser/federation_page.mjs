// Drives federationd's web page in Debian's headless Chromium through playwright-core (never a
// downloaded browser). Run by tests/integration/federation/browser_test.cpp, which starts the
// federation (alpha, beta, gamma; beta killed, so offline) and passes:
//   node federation_page.mjs URL SCREENSHOT.png PROFILE_DIR
// Checks: the page loads; filtering by currency (the script's way, without a reload) shows
// USD orders from all three coordinators, each with its coordinator chip; the coordinators carry
// their badges; the offline one is marked with the age of its data; a detail panel opens; and
// with JavaScript disabled the server-rendered page shows the same filtered book.
// Exits 0 when every check passes, 1 otherwise (each failure printed).
import { chromium } from 'playwright-core';
import path from 'node:path';

const [url, screenshot, profile] = process.argv.slice(2);
if (!url || !screenshot || !profile) {
  console.error('usage: node federation_page.mjs URL SCREENSHOT.png PROFILE_DIR');
  process.exit(2);
}

const launchOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  timeout: 60000,
};

let failures = 0;
let passes = 0;
function check(ok, what) {
  if (ok) {
    passes++;
  } else {
    failures++;
    console.error('FAIL: ' + what);
  }
}

async function withPage(javaScriptEnabled, profileDir, body) {
  const context = await chromium.launchPersistentContext(profileDir, { ...launchOptions, javaScriptEnabled });
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(30000);
    await body(page);
  } finally {
    await context.close();
  }
}

async function rowsOf(page) {
  return page.$$eval('#book-table tbody tr', (rows) =>
    rows.map((r) => ({
      coordinator: r.getAttribute('data-coordinator'),
      currency: r.getAttribute('data-currency'),
      stale: r.classList.contains('stale'),
      chip: (r.querySelector('.chip') || {}).textContent || '',
      note: (r.querySelector('.stale-note') || {}).textContent || '',
    })),
  );
}

// With JavaScript: filter without a reload.
await withPage(true, path.join(profile, 'js'), async (page) => {
  await page.goto(url + '/?seed=42', { waitUntil: 'load' });
  check((await page.title()) === 'Federation order book', 'page title');
  const all = await rowsOf(page);
  check(all.length === 4, `4 orders before filtering, got ${all.length}`);
  const loadedBefore = await page.getAttribute('body', 'data-loaded');
  await page.selectOption('#f-currency', '1');  // USD
  await page.waitForFunction(
    (before) => document.body.getAttribute('data-loaded') !== before,
    loadedBefore,
    { timeout: 30000 },
  );
  check(page.url().includes('currency=1'), `the URL carries the filter: ${page.url()}`);
  const usd = await rowsOf(page);
  check(usd.length === 3, `3 USD orders, got ${usd.length}`);
  check(usd.every((r) => r.currency === '1'), 'every row is USD');
  const aliases = new Set(usd.map((r) => r.coordinator));
  for (const a of ['alpha', 'beta', 'gamma']) check(aliases.has(a), `a USD order from ${a}`);
  check(usd.every((r) => r.chip === r.coordinator), 'each row shows its coordinator chip');
  const beta = usd.find((r) => r.coordinator === 'beta');
  check(beta && beta.stale && /offline · data \d+ (s|min) old/.test(beta.note), `beta's order marked offline: ${beta && beta.note}`);
  check(usd.filter((r) => r.coordinator !== 'beta').every((r) => !r.stale), 'the others are fresh');

  // Badges and status of each coordinator.
  const badges = async (alias) => page.$$eval(`#coord-${alias} .badge`, (b) => b.map((x) => x.textContent));
  check((await badges('alpha')).includes('Founder'), 'alpha has the Founder badge');
  check((await badges('alpha')).includes('Dev fund 30 %'), 'alpha donates 30 %');
  check((await badges('gamma')).includes('Dev fund 0 %'), 'gamma donates 0 %');
  check((await badges('beta')).includes('OpSec'), 'beta has the OpSec badge');
  const betaCard = await page.$eval('#coord-beta', (e) => ({ cls: e.className, text: e.querySelector('.status').textContent }));
  check(betaCard.cls.includes('status-offline'), `beta's card is offline: ${betaCard.cls}`);
  check(/offline · data \d+ (s|min) old/.test(betaCard.text), `beta's card shows the age: ${betaCard.text}`);
  const order = await page.$$eval('#coordinators li', (li) => li.map((x) => x.getAttribute('data-short-alias')));
  check(order[order.length - 1] === 'gamma', `the 0 % donor is listed last: ${order}`);

  // A detail panel opens (a <details> element) and shows the parameters.
  await page.click('#coord-alpha summary');
  const detail = await page.$eval('#details-alpha', (d) => ({ open: d.open, text: d.textContent }));
  check(detail.open && detail.text.includes('Maker fee') && detail.text.includes('Dev-tax share'), 'alpha detail panel');
  check(detail.text.includes('Be kind.'), 'alpha policies in the panel');
  await page.screenshot({ path: screenshot, fullPage: true });
});

// Without JavaScript (Tor Browser "safest"): the server renders the filtered book.
await withPage(false, path.join(profile, 'nojs'), async (page) => {
  await page.goto(url + '/?currency=1&seed=42', { waitUntil: 'load' });
  const usd = await rowsOf(page);
  check(usd.length === 3, `no JS: 3 USD orders, got ${usd.length}`);
  check(new Set(usd.map((r) => r.coordinator)).size === 3, 'no JS: orders from the three coordinators');
  check((await page.$$('#coord-beta.status-offline')).length === 1, 'no JS: beta marked offline');
});

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
