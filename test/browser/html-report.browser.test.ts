/**
 * The HTML evidence report in a real browser: headless Chromium from Debian's `chromium` package
 * (HOTFIX_CHROMIUM overrides the path), driven by playwright-core. Opens the demo's report
 * (`pnpm demo` writes it) and a failing, hostile bundle's report, checks the visible verdicts, the
 * landmarks, that nothing from the bundle runs or loads, and saves screenshots under demo-output/.
 * A missing browser or demo report fails the test: this tier never skips.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckInput, checkBundles, renderHtmlReport } from '../../packages/policy/src/index.js';
import { baseOptions, buildPromotionBundle, clone, signed } from '../../packages/policy/test/policy-fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'demo-output');
const CHROMIUM = process.env.HOTFIX_CHROMIUM ?? '/usr/bin/chromium';
const HOSTILE_TITLE =
  'Fix <script>globalThis.pwned = "script"; console.log("pwned")</script></style><img src=x onerror="globalThis.pwned=\'img\'"> \u202Egnp.exe';

let browser: Browser;

async function failingReport(): Promise<string> {
  const b = clone(buildPromotionBundle());
  const t = b.targets[0];
  const commit = b.hotfixes[0]?.commits[0];
  if (!t?.pipeline || !t.smokeChecks[0] || !commit) throw new Error('fixture');
  commit.title = HOSTILE_TITLE;
  t.pipeline.inputs.action = 'bring-all-code-to-release-branch';
  t.smokeChecks[0].result = 'failed';
  t.smokeChecks[0].name = '<a href="javascript:globalThis.pwned=\'link\'">click</a>';
  const inputs: CheckInput[] = [{ name: 'failing.dsse.json', value: signed(b) }];
  const report = await checkBundles(inputs, baseOptions);
  if (report.isErr()) throw new Error(report.error.code);
  const path = join(OUT, 'report-failing.html');
  await writeFile(path, renderHtmlReport(inputs, report.value));
  return path;
}

/** Opens a file, recording console output, page errors and every request. */
async function open(path: string): Promise<{ page: Page; console: string[]; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const seen = { console: [] as string[], errors: [] as string[], requests: [] as string[] };
  page.on('console', (m) => seen.console.push(m.text()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => seen.requests.push(r.url()));
  const url = pathToFileURL(path).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, ...seen };
}

/** What a person and a screen reader get: verdict, landmarks, links, scripts. */
async function facts(page: Page) {
  return page.evaluate(() => {
    // Runs in the page; the root tsconfig has no DOM lib, so the few DOM members used are typed here.
    type El = { readonly textContent: string | null; getAttribute(name: string): string | null };
    type Doc = {
      querySelector(s: string): El | null;
      querySelectorAll(s: string): ArrayLike<El>;
      readonly scripts: ArrayLike<unknown>;
      readonly images: ArrayLike<unknown>;
    };
    const doc = (globalThis as unknown as { document: Doc }).document;
    const all = (s: string) => Array.from(doc.querySelectorAll(s));
    return {
      verdict: doc.querySelector('#verdict')?.textContent?.trim(),
      landmarks: ['header', 'nav', 'main', 'footer'].map((t) => all(t).length),
      scripts: doc.scripts.length,
      images: doc.images.length,
      pwned: (globalThis as { pwned?: unknown }).pwned,
      hrefs: all('a[href]').map((a) => a.getAttribute('href') ?? ''),
      headersWithoutScope: all('thead th, tbody th').filter((th) => !th.getAttribute('scope')).length,
      failingSteps: all('svg.flow g.step.fail text:last-child').map((t) => t.textContent),
    };
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium)`);
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
});

describe('HTML evidence report in Chromium', () => {
  it("shows the demo's passing verdict with landmarks and saves a screenshot", async () => {
    const path = join(OUT, 'report.html');
    if (!existsSync(path)) throw new Error(`${path} is missing: run pnpm demo first`);
    const { page, console, errors, requests } = await open(path);
    const f = await facts(page);
    expect(f.verdict).toBe('✓ PASS');
    expect(f.landmarks).toEqual([1, 1, 1, 1]);
    expect(f.headersWithoutScope).toBe(0);
    expect(f.failingSteps).toEqual([]);
    expect(await page.getByRole('main').getByRole('rowheader', { name: 'Cherry-picked to release' }).count()).toBe(1);
    expect(await page.getByRole('row', { name: /E1 The merged hotfix is on release/ }).textContent()).toMatch(/✓ PASS/);
    expect([console, errors, requests.filter((u) => !u.startsWith('file:'))]).toEqual([[], [], []]);
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(OUT, 'report-print.png'), fullPage: true });
    await page.close();
  });

  it("shows a failing bundle's verdicts and runs nothing from its hostile content", async () => {
    const path = await failingReport();
    expect(await readFile(path, 'utf8')).toContain('&lt;script&gt;');
    const { page, console, errors, requests } = await open(path);
    const f = await facts(page);
    expect(f.verdict).toBe('✗ FAIL');
    expect(f.failingSteps).toEqual(['pipeline', 'smoke']);
    const failed = page.getByRole('region', { name: /^fleet\/charging-api/ });
    const other = page.getByRole('region', { name: /^fleet\/billing-api/ });
    expect(await failed.getByRole('row', { name: /E2 The orchestration pipeline used/ }).textContent()).toMatch(
      /✗ FAIL/,
    );
    expect(await failed.getByRole('row', { name: /E6 Every hotfix smoke/ }).textContent()).toMatch(/✗ FAIL/);
    expect(await other.getByRole('row', { name: /E2 The orchestration pipeline used/ }).textContent()).toMatch(
      /✓ PASS/,
    );
    // The hostile values are shown as text, not run, loaded or linked.
    expect(await page.getByText('<script>globalThis.pwned').count()).toBeGreaterThan(0);
    expect(await page.getByText('⟨U+202E⟩').count()).toBeGreaterThan(0);
    expect(f.scripts).toBe(0);
    expect(f.images).toBe(0);
    expect(f.pwned).toBeUndefined();
    expect(f.hrefs.filter((h) => !/^(https?:\/\/|#)/.test(h))).toEqual([]);
    expect([console, errors, requests.filter((u) => !u.startsWith('file:'))]).toEqual([[], [], []]);
    await page.screenshot({ path: join(OUT, 'report-failing.png'), fullPage: true });
    await page.close();
  });
});
