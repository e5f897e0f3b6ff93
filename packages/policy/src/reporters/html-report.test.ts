import { describe, expect, it } from 'vitest';
import {
  baseOptions,
  buildPromotionBundle,
  checkValue,
  clone,
  fakeSha,
  seal,
  signed,
  type Target,
} from '../../test/policy-fixtures.js';
import type { CheckInput } from '../check-bundles.js';
import { checkBundles } from '../check-bundles.js';
import { safeUrl, text } from './html-escape.js';
import { renderHtmlReport } from './html-report.js';

async function render(value: unknown, options = baseOptions, name = 'evidence.json'): Promise<string> {
  const inputs: CheckInput[] = [{ name, value }];
  const r = await checkBundles(inputs, options);
  if (r.isErr()) throw new Error(r.error.code);
  return renderHtmlReport(inputs, r.value);
}

function failingBundle(): unknown {
  const b = clone(buildPromotionBundle());
  const t = b.targets[0] as Target;
  if (!t.pipeline || !t.smokeChecks[0]) throw new Error('fixture');
  t.pipeline.inputs.action = 'bring-all-code-to-release-branch';
  t.smokeChecks[0].result = 'failed';
  return signed(b);
}

/** The SVG box class of a step in the first flow diagram. */
function stepClass(html: string, label: string): string | undefined {
  const flow = html.slice(html.indexOf('<svg class="flow"'));
  return new RegExp(`<g class="step (\\w+)"><rect[^>]*/><text[^>]*>[^<]*</text><text[^>]*>${label}</text>`).exec(
    flow,
  )?.[1];
}

const TAGS = new Set(
  'html head meta title style body header h1 h2 h3 h4 p span nav ul li a main section dl dt dd code q br wbr strong table caption thead tbody tr th td time svg g rect text path desc div footer'.split(
    ' ',
  ),
);
const ATTRS = new Set(
  'lang charset http-equiv content name class id href rel datetime title role aria-label aria-labelledby aria-hidden scope viewBox width height x y rx d text-anchor'.split(
    ' ',
  ),
);

/** Every tag and attribute name in the markup (quoted attribute values skipped). */
function markup(html: string): { tags: string[]; attrs: string[]; hrefs: string[] } {
  const tags: string[] = [];
  const attrs: string[] = [];
  const hrefs: string[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    tags.push((m[1] as string).toLowerCase());
    for (const a of (m[2] ?? '').matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      attrs.push(a[1] as string);
      if (a[1] === 'href') hrefs.push(a[2] ?? '');
    }
  }
  return { tags, attrs, hrefs };
}

describe(renderHtmlReport.name, () => {
  it('shows the overall verdict, every control with its runbook reference, and highlights the failing steps', async () => {
    const html = await render(failingBundle());
    expect(html).toContain('<span class="verdict fail" id="verdict"><span aria-hidden="true">✗</span> FAIL</span>');
    expect(html).toMatch(
      /<tr class="row-fail"><td class="nw"><span class="status fail">.*?FAIL<\/span><\/td><th scope="row"><code>E2<\/code>/,
    );
    expect(html).toContain('<code>E6</code>');
    expect(stepClass(html, 'pipeline')).toBe('fail');
    expect(stepClass(html, 'smoke')).toBe('fail');
    expect(stepClass(html, 'deploy')).toBe('pass');
    expect(html).toContain('<desc id="b0-t0-flow-d">merge: passed, pick: passed, drift: passed, pipeline: FAILED');
  });

  it('puts every timeline event with its time, actor, SHA, link and evidence record', async () => {
    const html = await render(signed(buildPromotionBundle()));
    const pickSha = fakeSha('fleet/charging-api:picked');
    expect(html).toContain('<span class="verdict pass" id="verdict">');
    for (const step of [
      'MR merged',
      'Cherry-picked to release',
      'Drift check',
      'Orchestration pipeline',
      'Deployment',
      'Health endpoint',
      'MR note',
      'MR label',
    ])
      expect(html).toContain(`<th scope="row">${step}</th>`);
    expect(html).toContain(`<time datetime="2026-11-30T01:01:10.000Z">2026-11-30 01:01:10Z</time>`);
    expect(html).toContain(`<span class="sr">${pickSha}</span>`);
    expect(html).toContain(
      `<a href="https://gitlab.example.com/fleet/charging-api/-/commit/${pickSha}" rel="noopener noreferrer">commit</a>`,
    );
    expect(html).toContain('<code class="ptr">/<wbr>targets/<wbr>0/<wbr>smokeChecks/<wbr>1</code>');
    expect(html).toMatch(
      /signed \(DSSE, ed25519\) with key id <code>sha256:[0-9a-f]{64}<\/code>; .*verified by a trusted key/,
    );
    expect(html).toMatch(/Bundle digest<\/dt><dd><code>sha256:[0-9a-f]{64}<\/code>/);
  });

  it('shows conflicts and rollbacks in place, and a waiver with its approver', async () => {
    const b = clone(buildPromotionBundle());
    const t = b.targets[0] as Target;
    const hotfix = b.hotfixes[0]?.commits[0]?.sha ?? '';
    t.conflicts.push({
      apiUrl: 'https://gitlab.example.com/api/v4/projects/1',
      observedAt: '2026-11-30T01:01:05.000Z',
      originalSha: hotfix,
      paths: ['src/tariff.ts'],
      resolvedBy: 'dev.carol',
      resultTree: fakeSha('tree'),
      verified: true,
    });
    (t.smokeChecks[0] as Target['smokeChecks'][number]).result = 'failed';
    const waivers = {
      version: 1,
      waivers: [
        {
          control: 'E6',
          scope: { project: 'fleet/charging-api' },
          reason: 'sandbox down, OPS-1',
          approver: 'lead.bob',
          expiresAt: '2026-12-01T00:00:00.000Z',
        },
      ],
    };
    const html = await render(signed(b), { ...baseOptions, waivers, waiverSource: 'protected-ref' });
    const pick = html.indexOf('Cherry-picked to release');
    const conflict = html.indexOf('Conflict resolved (D3)');
    expect(conflict).toBeGreaterThan(pick);
    expect(conflict).toBeLessThan(html.indexOf('Drift check'));
    expect(html).toContain('<tr class="conflict"><th scope="row">Conflict resolved (D3)</th>');
    expect(html).toContain('dev.carol');
    expect(stepClass(html, 'smoke')).toBe('waived');
    expect(html).toMatch(
      /<th scope="row"><code>E6<\/code><\/th><td>fleet\/charging-api<\/td><td>lead\.bob<\/td><td>sandbox down, OPS-1<\/td>/,
    );

    const r = clone(buildPromotionBundle());
    const rt = r.targets[1] as Target;
    rt.outcome = 'rolled_back';
    r.promotedTargets = ['fleet/charging-api'];
    rt.rollbacks.push({
      apiUrl: 'https://gitlab.example.com/api/v4/projects/2',
      observedAt: '2026-11-30T01:08:00.000Z',
      reason: 'health check regressed',
      runbookRef: 'R1',
      revertSha: fakeSha('revert'),
      rerunPipeline: null,
      revalidation: null,
    });
    const rolled = await render(seal(r), { now: baseOptions.now });
    expect(rolled).toContain('<tr class="rollback"><th scope="row">Rollback (R1)</th>');
    expect(rolled).toContain('outcome: rolled_back');
    expect(rolled).toContain('<strong>unsigned</strong>: a bare bundle');
  });

  it('highlights the failing step from the records of a failed target, where no control applies', async () => {
    const b = clone(buildPromotionBundle());
    const t = b.targets[1] as Target;
    t.outcome = 'failed';
    if (!t.deployment) throw new Error('fixture');
    t.deployment.deployment.status = 'failed';
    t.smokeChecks = [];
    delete t.note;
    delete t.label;
    b.promotedTargets = ['fleet/charging-api'];
    const html = await render(signed(b));
    const second = html.slice(html.indexOf('<h3 id="b0-t1-h">'));
    expect(second).toContain('outcome: failed');
    expect(stepClass(second, 'deploy')).toBe('fail');
    expect(stepClass(second, 'pick')).toBe('pass');
    expect(stepClass(second, 'smoke')).toBe('not_applicable');
    expect(second).toMatch(
      /<tr class="row-fail"><th scope="row"><span class="status fail">.*?failed<\/span> Deployment<\/th>/,
    );
  });

  it('renders a hostile bundle inert: script, style break-out, javascript: links and bidi controls', async () => {
    const b = clone(buildPromotionBundle());
    const t = b.targets[0] as Target;
    const evil = '<script>globalThis.pwned = 1; console.log("pwned")</script></style><img src=x onerror=alert(1)>';
    (b.hotfixes[0]?.commits[0] as { title: string }).title = `${evil} "quoted" 'single' javascript:alert(1)`;
    (t.smokeChecks[0] as { name: string }).name =
      'a\u202Egnp.exe\u2066\u200b</title><a href="javascript:alert(1)">x</a>';
    (t.label as { name: string }).name = '</style><style>*{display:none}</style>';
    t.conflicts.push({
      apiUrl: 'https://gitlab.example.com/api/v4/projects/1',
      observedAt: '2026-11-30T01:01:05.000Z',
      originalSha: b.hotfixes[0]?.commits[0]?.sha ?? '',
      paths: ['../../etc/<script>x</script>', 'src/\u202Ecod.ts'],
      resolvedBy: '<b onmouseover=alert(1)>dev</b>',
      resultTree: fakeSha('tree'),
      verified: false,
    });
    // A note URL passes the schema (no whitespace) yet carries quotes and markup.
    (t.note as { url: string }).url = 'https://gitlab.example.com/n"onmouseover="alert(1)"><script>x</script>';
    const html = await render(signed(b), baseOptions, '<img src=x onerror=alert(1)>.json');
    const { tags, attrs, hrefs } = markup(html);
    expect(html).toContain(
      'href="https://gitlab.example.com/n%22onmouseover=%22alert(1)%22%3E%3Cscript%3Ex%3C/script%3E"',
    );
    expect(html).toContain('Evidence <code>&lt;img src=x onerror=alert(1)&gt;.json</code>');
    expect(tags.filter((x) => !TAGS.has(x))).toEqual([]);
    expect(attrs.filter((x) => !ATTRS.has(x))).toEqual([]);
    expect(hrefs.filter((h) => !/^(https?:\/\/|#)/.test(h))).toEqual([]);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html.match(/<\/title>/g)).toHaveLength(3); // the page's and one per flow diagram (two targets)
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;globalThis.pwned = 1; console.log(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    expect(html).toContain('⟨U+202E⟩');
    expect(html).toContain('⟨U+2066⟩');
    expect(html).toContain('⟨U+200B⟩');
  });

  it('links only http(s) URLs and still shows a non-web URL as text, marked unverified when the schema fails', async () => {
    const b = clone(buildPromotionBundle()) as unknown as { hotfixes: { mr: { webUrl: string } }[] };
    (b.hotfixes[0] as { mr: { webUrl: string } }).mr.webUrl = 'javascript:alert(document.domain)';
    const html = await render(b, { now: baseOptions.now });
    expect(html).toContain('<strong>Unverified.</strong>');
    expect(html).toContain('(not a web link: javascript:alert(document.domain))');
    expect(markup(html).hrefs.filter((h) => !/^(https?:\/\/|#)/.test(h))).toEqual([]);
  });

  it('renders unreadable inputs and a strict, script-free page head', async () => {
    const inputs: CheckInput[] = [{ name: 'broken.json', text: '{not json' }];
    const r = await checkBundles(inputs, baseOptions);
    if (r.isErr()) throw new Error(r.error.code);
    const html = renderHtmlReport(inputs, r.value);
    expect(html).toContain('the file is not JSON');
    expect(html).toContain('<span class="verdict error" id="verdict"><span aria-hidden="true">⚠</span> ERROR</span>');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    expect(html).toContain('<main>');
    expect(html).toContain('<nav aria-label="Evidence inputs">');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/\ssrc=|<link|@import|url\(/i);
  });

  it('still renders the page when a value passed in throws from a getter', async () => {
    const report = await checkValue(signed(buildPromotionBundle()));
    const hostile = {
      get targets(): never {
        throw new Error('<b>getter</b> threw');
      },
    };
    const html = renderHtmlReport([{ name: 'evidence.json', value: hostile }], report);
    expect(html).toContain('This input could not be rendered: &lt;b&gt;getter&lt;/b&gt; threw');
    expect(html).toContain('</html>');
  });

  it('renders a provenance field wherever a record or result carries one', async () => {
    const report = await checkValue(signed(buildPromotionBundle()));
    const withProv = {
      ...report,
      bundles: report.bundles.map((b) => ({
        ...b,
        results: b.results.map((x) => (x.id === 'E5' ? { ...x, provenance: 'live' } : x)),
      })),
    };
    const b = clone(buildPromotionBundle()) as unknown as { targets: { pick: Record<string, unknown> }[] };
    (b.targets[0] as { pick: Record<string, unknown> }).pick.provenance = { headAfter: 'observed', picks: 'reported' };
    const html = renderHtmlReport([{ name: 'evidence.json', value: b }], withProv);
    expect(html).toContain('<th scope="col">Provenance</th>');
    expect(html).toContain('<td>live</td>');
    expect(html).toContain('<span class="tag">headAfter: observed; picks: reported</span>');
  });
});

describe(safeUrl.name, () => {
  it('accepts http(s) only, without credentials', () => {
    expect(safeUrl('https://gitlab.example.com/a?b="c"')).toBe('https://gitlab.example.com/a?b=%22c%22');
    for (const bad of [
      'javascript:alert(1)',
      ' JAVASCRIPT:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      '//evil',
      'https://u:p@x.test/',
      7,
    ])
      expect(safeUrl(bad)).toBeUndefined();
  });

  it('escapes markup characters and shows invisible characters as code points', () => {
    expect(text(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
    expect(text('\u202E\u0007')).toContain('⟨U+202E⟩');
    expect(text('\u202E\u0007')).toContain('⟨U+0007⟩');
  });
});
