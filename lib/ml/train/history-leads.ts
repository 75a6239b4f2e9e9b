/** How the training worker reads a source's history from IndexedDB (`TrainingHistory.leads`). */
import { readLeadsForTraining } from '../../db/db';
import { historyRule, inHistory, type HistoryRule } from '../../db/source-history';
import type { SourceKind } from '../featurize';
import { TrainingDataError } from './errors';
import type { HistoryRead } from './training-job';

/** Whether two rules leave out the same leads: Demo mode's leads were loaded, or cleared, or a first lead of the source's own stored, if not. */
const sameRule = (a: HistoryRule, b: HistoryRule) => a.demoOnly === b.demoOnly && a.demoLeftOut.size === b.demoLeftOut.size;

/**
 * `source`'s history (its demo leads left out once it has leads of its own), read for `read`: its
 * rule, then its leads a chunk at a time, each read in a short transaction of its own, so a sync's
 * commit, and the badges' reads queued behind it, wait for one chunk, not for the whole history.
 * The rule is read again after the leads: one that changed meanwhile (Demo mode's leads loaded into a
 * history of the company's own, or a first sync into a history of demo leads) would have let the
 * read mix made-up leads with the company's, so the read is refused.
 */
export async function readHistoryLeads(source: SourceKind, read: HistoryRead): Promise<void> {
  const rule = await historyRule(source);
  await readLeadsForTraining(source, (key) => inHistory(rule, key), read);
  if (!sameRule(rule, await historyRule(source))) {
    throw new TrainingDataError("Demo mode's made-up leads were loaded or removed, or leads of your own stored for the first time, while the history was read: check the data again.");
  }
}
