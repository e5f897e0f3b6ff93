/**
 * Child process for the crash test: creates a journal and appends outcome/smoke steps forever until killed.
 * Usage: node --import tsx journal-writer.ts <journal path>
 */
import { EvidenceJournal } from '../src/index.js';
import { buildPromotionBundle } from './promotion-bundle-fixture.js';

const path = process.argv[2] ?? '';
const b = buildPromotionBundle();
const { targets, promotedTargets: _p, digest: _d, completedAt: _c, ...rest } = b;
const created = await EvidenceJournal.create(path, {
  ...rest,
  targets: targets.map((t) => ({ project: t.project, hotfix: t.hotfix })),
});
if (!created.isOk()) process.exit(3);
const journal = created.value;
const first = targets[0];
if (!first) process.exit(3);
for (let i = 0; ; i++) {
  const r = await journal.append({
    step: 'smoke',
    target: first.project,
    record: first.smokeChecks.slice(0, (i % 2) + 1),
  });
  if (!r.isOk()) process.exit(4);
}
