import type { CheckInput } from '../check-bundles.js';
import type { BundleReport, CheckReport } from '../check-report.js';
import type { ControlResult } from '../control-result.js';
import { text, time } from './html-escape.js';
import { arr, at, decodeInput, type Obj } from './html-read.js';
import { controlsTable, factsList, STATUS_TEXT, statusBadge, targetSection } from './html-sections.js';
import { HTML_REPORT_CSS } from './html-style.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function decode(input: CheckInput): ReturnType<typeof decodeInput> {
  if ('value' in input) return decodeInput(input.value);
  try {
    return decodeInput(JSON.parse(input.text));
  } catch {
    return { bundle: undefined, keyids: null, problem: 'the file is not JSON' };
  }
}

function partFor(report: CheckReport, input: CheckInput, i: number): BundleReport | undefined {
  const same = report.bundles[i];
  return same?.name === input.name ? same : report.bundles.find((b) => b.name === input.name);
}

function integrity(part: BundleReport | undefined, keyids: readonly string[] | null): string {
  const find = (id: string) => part?.results.find((r) => r.id === id && r.target === null);
  const digest = find('bundle-digest');
  const sig = find('bundle-signature');
  const digestLine = part?.digest
    ? `<code>${text(part.digest)}</code> ${digest ? `${statusBadge(digest.status)} ${digest.status === 'pass' ? 'matches the content' : text(digest.message)}` : ''}`
    : '<strong>no digest</strong> (the bundle is not sealed)';
  let sigLine: string;
  if (keyids === null) sigLine = '<strong>unsigned</strong>: a bare bundle, not a DSSE envelope';
  else {
    const who = keyids.map((k) => `<code>${text(k)}</code>`).join(', ') || 'no key id';
    const verdict =
      !sig || sig.status === 'not_applicable'
        ? '<span class="status not_applicable">not verified: no trusted key was configured for this check</span>'
        : sig.status === 'pass'
          ? `${statusBadge('pass')} verified by a trusted key`
          : `${statusBadge(sig.status)} NOT verified: ${text(sig.message)}`;
    sigLine = `signed (DSSE, ed25519) with key id ${who}; ${verdict}`;
  }
  return `<dl class="facts"><dt>Bundle digest</dt><dd>${digestLine}</dd><dt>Signature</dt><dd>${sigLine}</dd></dl>`;
}

function waiversTable(results: readonly ControlResult[]): string {
  const waived = results.filter((r) => r.waiver);
  if (waived.length === 0) return '<p>No waiver applied.</p>';
  const rows = waived.map((r) => {
    const w = r.waiver as NonNullable<ControlResult['waiver']>;
    return `<tr><th scope="row"><code>${text(r.id)}</code></th><td>${text(r.target ?? '—')}</td><td>${text(w.approver)}</td><td>${text(w.reason)}</td><td>${time(w.expiresAt)}</td><td>${w.expired ? statusBadge('fail') : statusBadge('waived')}</td></tr>`;
  });
  return `<table><caption>Waivers</caption><thead><tr><th scope="col">Control</th><th scope="col">Target</th><th scope="col">Approver</th><th scope="col">Reason</th><th scope="col">Expires</th><th scope="col">State</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function bundleSection(input: CheckInput, i: number, report: CheckReport): string {
  const part = partFor(report, input, i);
  const decoded = decode(input);
  const bundle: Obj = decoded.bundle;
  const results = part?.results ?? [];
  const schema = results.find((r) => r.id === 'bundle-schema');
  const id = `b${i}`;
  const head = `<h2 id="${id}-h">Evidence <code>${text(input.name)}</code> ${part ? statusBadge(part.status) : ''}</h2>`;
  const unverified =
    schema?.status !== 'pass'
      ? `<p class="banner" role="note"><strong>Unverified.</strong> This input ${schema ? `could not be evaluated: ${text(schema.message)}` : 'is not in the policy report'}. What it claims is shown as it is.</p>`
      : '';
  const body = bundle
    ? `${factsList(bundle)}${integrity(part, decoded.keyids)}`
    : `<p>${text(decoded.problem ?? 'no bundle could be read')}</p>`;
  const targets = bundle
    ? arr(at(bundle, 'targets'), 50).map((_, t) => targetSection(bundle, t, results, `${id}-t${t}`))
    : [];
  const bundleResults = results.filter((r) => r.target === null);
  return `<section class="bundle" aria-labelledby="${id}-h">${head}${unverified}${body}${controlsTable(bundleResults, 'Bundle controls (integrity, D4)')}${targets.join('')}<h4>Waivers</h4>${waiversTable(results)}</section>`;
}

/**
 * Renders one self-contained HTML page for people: per input its facts, digest and signature status, and
 * per target a flow diagram with the failing step highlighted, a timeline from the MR's merge to the
 * label (each event with time, actor, SHA, GitLab link and the evidence record it comes from; conflicts
 * and rollbacks in place), and the verdict of every control with its runbook reference, provenance and
 * waiver. No script, no external resource (a Content-Security-Policy allows inline styles only); every
 * value from the inputs is escaped, bidi and invisible characters are shown as code points, and only
 * http(s) URLs become links. Pure: pass the inputs given to {@link checkBundles} and its report.
 *
 * @example
 * ```ts
 * const checked = await checkBundles(inputs, options);
 * if (checked.isOk()) writeFileSync('report.html', renderHtmlReport(inputs, checked.value));
 * ```
 * @see E1–E8, D3, D4, R1, R2
 */
export function renderHtmlReport(inputs: readonly CheckInput[], report: CheckReport): string {
  const [mark, word] = STATUS_TEXT[report.status];
  const s = report.summary;
  const accepted = report.results.filter((r) => r.status === 'unverified' && r.accepted).length;
  // What the reader must see first (unsigned evidence accepted, unverified accepted), under the verdict.
  const notices = report.notices.map((n) => `<p class="banner" role="note"><strong>${text(n)}</strong></p>`).join('');
  const nav = inputs.map((input, i) => `<li><a href="#b${i}-h">${text(input.name)}</a></li>`).join('');
  const sections = inputs
    .map((input, i) => {
      try {
        return bundleSection(input, i, report);
      } catch (cause) {
        // A value passed in (not parsed JSON) may throw from a getter or proxy; the page still renders.
        const why = cause instanceof Error ? cause.message : 'it threw';
        return `<section class="bundle" aria-labelledby="b${i}-h"><h2 id="b${i}-h">Evidence <code>${text(input.name)}</code></h2><p class="banner" role="note">This input could not be rendered: ${text(why)}</p></section>`;
      }
    })
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Staging hotfix evidence: ${word}</title>
<style>${HTML_REPORT_CSS}</style>
</head>
<body>
<header class="top"><h1>Staging hotfix evidence report</h1>
<p><span class="verdict ${report.status}" id="verdict"><span aria-hidden="true">${mark}</span> ${word}</span> exit ${report.exitCode} · ${s.pass} passed · ${s.fail} failed · ${s.error} errors · ${s.unverified} unverified${accepted ? ` (${accepted} accepted)` : ''} · ${s.waived} waived · ${s.not_applicable} not applicable · checked ${time(report.checkedAt)}</p>${notices}</header>
<nav aria-label="Evidence inputs"><ul>${nav}</ul></nav>
<main>${sections || '<p>No input was checked.</p>'}</main>
<footer><p>Policy controls E1–E8 and integrity controls of the runbook "Staging Hotfix Release". A self-contained file: no script, no external resource.</p></footer>
</body>
</html>
`;
}
