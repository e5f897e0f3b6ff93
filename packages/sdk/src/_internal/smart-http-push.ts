/**
 * Pushes exactly the given objects over git's smart HTTP protocol in one receive-pack request
 * whose ref update `<old> <new> <ref>` makes the server compare-and-swap: it moves the ref only
 * if it still points at `old`. Never forces (the update names the old value the caller planned
 * against; no `+`, no delete). Reads `report-status` back through side-band so the server's
 * reason (and its hook's messages) reach the caller. When no answer arrives (the connection
 * dropped), the push is never resent blindly: the ref is read back from a fresh advertisement;
 * at the new value the push landed, at the old value it is sent once more (the compare-and-swap
 * lets it land at most once), anywhere else someone else moved it.
 */
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitObject } from './git-objects.js';
import { writePack } from './pack-writer.js';
import { readLimited } from './transport.js';

/** Default cap on each answer of a push (advertisement, report): far above any real one. */
export const DEFAULT_PUSH_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** One compare-and-swap push. */
export interface SmartHttpPushRequest {
  /** The repository URL, e.g. `https://gitlab.example.com/group/project.git`. */
  readonly url: string;
  readonly username: string;
  readonly token: string;
  /** Full ref name, e.g. `refs/heads/release`. */
  readonly ref: string;
  readonly oldOid: string;
  readonly newOid: string;
  readonly objects: readonly GitObject[];
  /** Stop before sending the pack when the advertisement already shows the ref moved (default true). */
  readonly precheck?: boolean;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Largest answer read from the server (bytes); a larger one fails the push as `git`. */
  readonly maxResponseBytes?: number;
  /**
   * The ref advertisement, already requested (see `requestAdvertisement`) while the caller was
   * still working: saves the push one sequential round trip. Requested here when absent.
   */
  readonly advertisement?: Promise<Advertisement>;
}

/** The answer to `GET info/refs?service=git-receive-pack`, read in full (or why it could not be). */
export type Advertisement =
  | { readonly status: number; readonly body: Buffer | undefined }
  | { readonly failed: string; readonly cause: unknown };

/**
 * Requests the ref advertisement a push starts with (a read: safe to ask early, and the push's
 * compare-and-swap still guards the ref). Never rejects: a failure is reported as `failed`.
 */
export async function requestAdvertisement(
  req: Pick<SmartHttpPushRequest, 'url' | 'username' | 'token' | 'fetch' | 'signal' | 'maxResponseBytes'>,
): Promise<Advertisement> {
  try {
    const auth = `Basic ${Buffer.from(`${req.username}:${req.token}`).toString('base64')}`;
    // Never follow a redirect: it would carry the credentials to wherever the answer points.
    const adv = await (req.fetch ?? fetch)(`${req.url.replace(/\/+$/, '')}/info/refs?service=git-receive-pack`, {
      headers: { authorization: auth },
      redirect: 'manual',
      ...(req.signal ? { signal: req.signal } : {}),
    });
    return {
      status: adv.status,
      body: await readLimited(adv, req.maxResponseBytes ?? DEFAULT_PUSH_MAX_RESPONSE_BYTES),
    };
  } catch (e) {
    return { failed: e instanceof Error ? e.message : String(e), cause: e };
  }
}

/** What a push did and cost. */
export interface SmartHttpPushReport {
  readonly objectsSent: number;
  /** Bytes of both request bodies (commands and pack). */
  readonly bytesSent: number;
  /** Bytes of the advertisement and the report. */
  readonly bytesReceived: number;
  /** Lines the server (and its hooks) printed. */
  readonly messages: readonly string[];
}

function pkt(line: string): Buffer {
  const payload = Buffer.from(line, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}

/** Splits a pkt-line stream; a flush packet is `null`. */
export function readPktLines(buf: Buffer): (Buffer | null)[] {
  const out: (Buffer | null)[] = [];
  let i = 0;
  while (i + 4 <= buf.length) {
    const len = Number.parseInt(buf.toString('latin1', i, i + 4), 16);
    if (Number.isNaN(len)) break;
    if (len < 4) {
      out.push(null);
      i += 4;
      continue;
    }
    out.push(buf.subarray(i + 4, i + len));
    i += len;
  }
  return out;
}

const ZERO = '0'.repeat(40);

/** Pushes `objects` and moves `ref` from `oldOid` to `newOid`, or reports why the server refused. */
export function smartHttpPush(req: SmartHttpPushRequest): ResultAsync<SmartHttpPushReport, HotfixError> {
  const gitError = (reason: string, cause?: unknown) =>
    hotfixError('git', `Push to ${req.ref} failed: ${reason}`, {
      runbookRef: 'D3',
      details: { operation: 'push', reason },
      ...(cause === undefined ? {} : { cause }),
    });
  if (req.oldOid === ZERO || req.newOid === ZERO) return errAsync(gitError('refusing to create or delete a ref'));
  const doFetch = req.fetch ?? fetch;
  const max = req.maxResponseBytes ?? DEFAULT_PUSH_MAX_RESPONSE_BYTES;
  const redirected = (status: number, what: string) =>
    `HTTP ${status} on ${what}: redirects are not followed (they would carry the credentials elsewhere); use the repository's final URL`;
  const auth = `Basic ${Buffer.from(`${req.username}:${req.token}`).toString('base64')}`;
  const base = req.url.replace(/\/+$/, '');
  /** The advertised refs and capabilities, or why the advertisement is unusable. */
  const readAdvertisement = (
    adv: Advertisement,
  ): { refs: Map<string, string>; caps: string[]; bytes: number } | HotfixError => {
    if ('failed' in adv) return gitError(adv.failed, adv.cause);
    if (adv.body === undefined) return gitError(`the ref advertisement exceeds ${max} bytes`);
    if (adv.status >= 300 && adv.status < 400) return gitError(redirected(adv.status, 'the ref advertisement'));
    if (adv.status < 200 || adv.status >= 300) return gitError(`HTTP ${adv.status} on the ref advertisement`);
    const refs = new Map<string, string>();
    let caps: string[] = [];
    for (const line of readPktLines(adv.body)) {
      if (line === null || line[0] === 0x23) continue; // `# service=…`
      const text = line.toString('utf8').replace(/\n$/, '');
      const [refPart, capPart] = text.split('\0') as [string, string | undefined];
      if (capPart !== undefined) caps = capPart.split(' ');
      const [oid, name] = refPart.split(' ') as [string, string];
      refs.set(name, oid);
    }
    return { refs, caps, bytes: adv.body.length };
  };
  const work = async (): Promise<SmartHttpPushReport | HotfixError> => {
    let adv = await (req.advertisement ?? requestAdvertisement(req));
    // A read: when no answer came (say, a kept-alive connection the server had just closed), ask once more.
    if ('failed' in adv && !req.signal?.aborted) adv = await requestAdvertisement(req);
    const advertised = readAdvertisement(adv);
    if (isHotfixError(advertised)) return advertised;
    const { refs, caps } = advertised;
    const current = refs.get(req.ref);
    if ((req.precheck ?? true) && current !== req.oldOid) {
      return rejected(`${req.ref} is at ${current ?? 'nothing'}, not ${req.oldOid}; nothing was sent`, []);
    }
    const wanted = ['report-status', 'side-band-64k', 'quiet'].filter((c) => caps.includes(c));
    if (!wanted.includes('report-status')) return gitError('the server does not offer report-status');
    const pack = writePack(req.objects);
    const body = Buffer.concat([
      pkt(`${req.oldOid} ${req.newOid} ${req.ref}\0${[...wanted, 'agent=hotfix-release'].join(' ')}\n`),
      Buffer.from('0000', 'latin1'),
      pack,
    ]);
    const post = () =>
      doFetch(`${base}/git-receive-pack`, {
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': 'application/x-git-receive-pack-request',
          accept: 'application/x-git-receive-pack-result',
        },
        body,
        redirect: 'manual',
        ...(req.signal ? { signal: req.signal } : {}),
      });
    let res: Response | undefined;
    let attempts = 0;
    let readBack = 0;
    while (!res) {
      attempts++;
      try {
        res = await post();
      } catch (e) {
        if (req.signal?.aborted) throw e;
        // No answer: the push may or may not have landed. Never send it again blindly: read the ref back first.
        // The update is a compare-and-swap from oldOid, so even a second send can land at most once.
        const lost = `no answer to receive-pack (${e instanceof Error ? e.message : String(e)})`;
        const back = readAdvertisement(await requestAdvertisement(req));
        if (isHotfixError(back)) return gitError(`${lost}, and ${req.ref} could not be read back: ${back.message}`, e);
        readBack += back.bytes;
        const now = back.refs.get(req.ref);
        if (now === req.newOid)
          return {
            objectsSent: req.objects.length,
            bytesSent: body.length * attempts,
            bytesReceived: advertised.bytes + readBack,
            messages: [`${lost}; the server's ref advertisement shows ${req.ref} at ${req.newOid}: the push landed`],
          };
        if (now !== req.oldOid) return rejected(`${lost}; ${req.ref} is now at ${now ?? 'nothing'}`, []);
        if (attempts >= 2) return gitError(`${lost} twice; ${req.ref} is still at ${req.oldOid}: nothing landed`, e);
      }
    }
    const resBody = await readLimited(res, max);
    if (resBody === undefined) return gitError(`the receive-pack answer exceeds ${max} bytes`);
    const received = advertised.bytes + readBack + resBody.length;
    if (res.status >= 300 && res.status < 400) return gitError(redirected(res.status, 'receive-pack'));
    if (!res.ok) return gitError(`HTTP ${res.status} on receive-pack`);
    const { report, messages } = demux(resBody, wanted.includes('side-band-64k'));
    const sent = {
      objectsSent: req.objects.length,
      bytesSent: body.length * attempts,
      bytesReceived: received,
      messages,
    };
    const unpack = report.find((l) => l.startsWith('unpack '));
    if (unpack !== 'unpack ok') return gitError(`the server could not unpack: ${unpack ?? messages.join(' ')}`);
    const status = report.find((l) => l.endsWith(` ${req.ref}`) || l.includes(` ${req.ref} `));
    if (status === `ok ${req.ref}`) return sent;
    const reason = status?.slice(`ng ${req.ref} `.length) ?? 'no status for the ref';
    return rejected(reason, messages);
  };
  const rejected = (reason: string, messages: readonly string[]) =>
    hotfixError('push-rejected', `The server refused to move ${req.ref} from ${req.oldOid.slice(0, 12)}: ${reason}.`, {
      runbookRef: 'D3',
      retryable: true,
      details: {
        ref: req.ref,
        expectedOld: req.oldOid,
        reason: messages.length ? `${reason} (${messages.join(' | ')})` : reason,
      },
    });
  return ResultAsync.fromPromise(work(), (e) => gitError(e instanceof Error ? e.message : String(e), e)).andThen((r) =>
    isHotfixError(r) ? errAsync(r) : okAsync(r),
  );
}

/** Separates the report-status lines (band 1) from the server's messages (bands 2 and 3). */
function demux(body: Buffer, sideBand: boolean): { report: string[]; messages: string[] } {
  const messages: string[] = [];
  let data = body;
  if (sideBand) {
    const band1: Buffer[] = [];
    for (const p of readPktLines(body)) {
      if (p === null || p.length === 0) continue;
      if (p[0] === 1) band1.push(p.subarray(1));
      else
        messages.push(
          ...p
            .subarray(1)
            .toString('utf8')
            .split(/[\r\n]+/)
            .filter(Boolean),
        );
    }
    data = Buffer.concat(band1);
  }
  const report = readPktLines(data)
    .filter((l): l is Buffer => l !== null)
    .map((l) => l.toString('utf8').replace(/\n$/, ''));
  return { report, messages };
}
