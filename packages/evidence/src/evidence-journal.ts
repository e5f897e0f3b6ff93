import { link, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import {
  type JournalEntry,
  type JournalFile,
  type JournalHeader,
  journalEntrySchema,
  journalHeaderSchema,
} from './journal-schema.js';
import { issuesFromZod } from './parse-bundle.js';
import { type JournalState, loadJournalFile, stateOf } from './read-journal.js';
import { assertNoSecrets, type SecretScanOptions } from './secrets.js';

/**
 * Options of {@link EvidenceJournal}: the clock, and sentinels (e.g. the GitLab token) that must never be journaled.
 */
export interface JournalOptions extends SecretScanOptions {
  /** The clock stamping each entry; default the system clock. */
  readonly now?: () => Date;
}

/**
 * A crash-safe evidence journal: each completed step is appended by rewriting the whole journal to a
 * temporary file, fsyncing it, renaming it over the journal and fsyncing the directory, so a killed
 * process always leaves the previous or the new journal, never a torn one. Appends are serialised.
 *
 * @example
 * ```ts
 * const j = await EvidenceJournal.create('evidence.journal.json', header);
 * if (j.isOk()) await j.value.append({ step: 'pick', target: 'fleet/api', record: pick });
 * ```
 * @see D4, E1–E8
 */
export class EvidenceJournal {
  private file: JournalFile;
  private queue: Promise<unknown> = Promise.resolve();
  private tmpCounter = 0;

  private constructor(
    /** The journal's path. */
    readonly path: string,
    file: JournalFile,
    private readonly options: JournalOptions,
  ) {
    this.file = file;
  }

  /**
   * Starts a new journal at `path` (which must not exist yet) with the bundle header.
   *
   * Errors: `invalid-journal-entry` (bad header, naming the field), `secret-detected`, `journal-io` (exists, or cannot write).
   *
   * @example
   * ```ts
   * const j = await EvidenceJournal.create(path, header, { now: () => new Date() });
   * ```
   */
  static async create(
    path: string,
    header: JournalHeader,
    options: JournalOptions = {},
  ): Promise<EvidenceResult<EvidenceJournal, EvidenceError>> {
    const parsed = journalHeaderSchema.safeParse(header);
    if (!parsed.success) {
      return errResult(
        evidenceError('invalid-journal-entry', 'bad journal header', { issues: issuesFromZod(parsed.error) }),
      );
    }
    const clean = assertNoSecrets(parsed.data, options);
    if (!clean.isOk()) return errResult(clean.error);
    const file: JournalFile = {
      format: 'hotfix-release-evidence-journal',
      version: 1,
      header: parsed.data,
      entries: [],
    };
    const journal = new EvidenceJournal(path, file, options);
    const written = await journal.persist(file, 'create');
    return written.map(() => journal);
  }

  /**
   * Opens an existing journal to continue appending (resume).
   *
   * Errors: `journal-io`, `journal-corrupt`.
   *
   * @example
   * ```ts
   * const j = await EvidenceJournal.open(path);
   * ```
   */
  static async open(
    path: string,
    options: JournalOptions = {},
  ): Promise<EvidenceResult<EvidenceJournal, EvidenceError>> {
    const file = await loadJournalFile(path);
    return file.map((f) => new EvidenceJournal(path, f, options));
  }

  /**
   * Durably appends one completed step. Resolves after the journal on disk holds it.
   *
   * Errors: `invalid-journal-entry` (naming the field, or a target not in the header), `secret-detected`, `journal-io`.
   *
   * @example
   * ```ts
   * await journal.append({ step: 'outcome', target: 'fleet/api', record: { outcome: 'promoted' } });
   * ```
   */
  append(entry: JournalEntry): Promise<EvidenceResult<JournalState, EvidenceError>> {
    const run = this.queue.then(() => this.appendNow(entry));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The current state: partial bundle and completed steps.
   *
   * @example
   * ```ts
   * journal.state().bundle.targets[0]?.outcome;
   * ```
   */
  state(): JournalState {
    return stateOf(this.file);
  }

  private async appendNow(entry: JournalEntry): Promise<EvidenceResult<JournalState, EvidenceError>> {
    const parsed = journalEntrySchema.safeParse(entry);
    if (!parsed.success) {
      return errResult(
        evidenceError('invalid-journal-entry', 'bad journal entry', { issues: issuesFromZod(parsed.error) }),
      );
    }
    const named = 'target' in parsed.data ? parsed.data.target : undefined;
    if (named !== undefined && !this.file.header.targets.some((t) => t.project === named)) {
      return errResult(
        evidenceError(
          'invalid-journal-entry',
          'target is not one of the journal header targets',
          { issues: [{ pointer: '/target', message: `unknown target ${named}` }] },
          { runbookRef: 'D4' },
        ),
      );
    }
    const clean = assertNoSecrets(parsed.data, this.options);
    if (!clean.isOk()) return errResult(clean.error);
    const seq = this.file.entries.length + 1;
    const next: JournalFile = {
      ...this.file,
      entries: [...this.file.entries, { ...parsed.data, seq, at: (this.options.now?.() ?? new Date()).toISOString() }],
    };
    const written = await this.persist(next);
    if (!written.isOk()) return errResult(written.error);
    this.file = next;
    return okResult(stateOf(next));
  }

  /**
   * Writes the whole journal to a temporary file and fsyncs it, then atomically publishes it: `create`
   * hard-links it to the path (fails if the journal exists, so creation is exclusive and never leaves an
   * empty file), `replace` renames it over the path. The directory is fsynced so the publish is durable.
   */
  private async persist(
    file: JournalFile,
    mode: 'create' | 'replace' = 'replace',
  ): Promise<EvidenceResult<void, EvidenceError>> {
    this.tmpCounter += 1;
    const tmp = `${this.path}.${process.pid}.${this.tmpCounter}.tmp`;
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(file)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (mode === 'create') {
        await link(tmp, this.path);
        await rm(tmp, { force: true });
      } else {
        await rename(tmp, this.path);
      }
      await syncDirectory(dirname(this.path));
      return okResult(undefined);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      const exists = mode === 'create' && (cause as { code?: unknown }).code === 'EEXIST';
      const message = exists ? 'journal exists; use open() to resume' : 'could not write the journal';
      return errResult(evidenceError('journal-io', message, { path: this.path }, { cause }));
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable; some platforms cannot fsync a directory, which is not fatal.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
