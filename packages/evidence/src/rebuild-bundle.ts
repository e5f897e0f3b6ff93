import type { JournalEntry, JournalHeader } from './journal-schema.js';
import type { PromotionBundle, TargetRecord } from './schema/bundle-schema.js';

/**
 * Folds a journal header and its entries into a (possibly partial) bundle. Internal: used by the journal.
 * Later entries for the same step replace earlier ones, except conflicts and rollbacks, which accumulate.
 */
export function rebuildBundle(header: JournalHeader, entries: readonly JournalEntry[]): PromotionBundle {
  const targets = new Map<string, TargetRecord>(
    header.targets.map(({ project, hotfix, dependsOn }) => [
      project,
      {
        project,
        hotfix,
        ...(dependsOn && dependsOn.length > 0 ? { dependsOn } : {}),
        outcome: 'pending',
        conflicts: [],
        smokeChecks: [],
        rollbacks: [],
      },
    ]),
  );
  let completedAt: string | undefined;
  for (const entry of entries) {
    if (entry.step === 'complete') {
      completedAt = entry.record.completedAt;
      continue;
    }
    // Not a record of its own: the journal tells it (JournalState.abandoned); the bundle stays as it was.
    if (entry.step === 'abandon') continue;
    // The journal refuses an entry for a target its header does not name.
    const t = targets.get(entry.target);
    if (!t) continue;
    switch (entry.step) {
      case 'lock':
        t.lock = entry.record;
        break;
      case 'pick':
        t.pick = entry.record;
        // A target blocked by an earlier run (D4) that a resumed run went on to pick is no longer blocked.
        delete t.blocked;
        break;
      case 'drift':
        t.drift = entry.record;
        break;
      case 'release-merge-request':
        t.releaseMergeRequest = entry.record;
        break;
      case 'conflict':
        t.conflicts = [...t.conflicts, entry.record];
        delete t.blocked;
        break;
      case 'trigger-intent':
        // Not evidence of its own: the pipeline record carries what was sent once GitLab answered.
        break;
      case 'trigger':
        t.pipeline = entry.record;
        break;
      case 'enumerate':
        t.enumeration = entry.record;
        break;
      case 'deploy':
        t.deployment = entry.record;
        break;
      case 'deployed-commits':
        t.deployedCommits = entry.record;
        break;
      case 'verify-sha':
        t.deployedSha = entry.record;
        break;
      case 'smoke':
        t.smokeChecks = entry.record;
        break;
      case 'note':
        t.note = entry.record;
        break;
      case 'label':
        t.label = entry.record;
        break;
      case 'rollback':
        t.rollbacks = [...t.rollbacks, entry.record];
        break;
      case 'blocked':
        t.blocked = entry.record;
        break;
      case 'outcome':
        t.outcome = entry.record.outcome;
        break;
    }
  }
  const { targets: _projects, ...rest } = header;
  const list = [...targets.values()];
  return {
    ...rest,
    ...(completedAt === undefined ? {} : { completedAt }),
    targets: list,
    promotedTargets: list.filter((t) => t.outcome === 'promoted').map((t) => t.project),
  };
}
