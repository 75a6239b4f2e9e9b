/**
 * Which stored leads are a source's history, for training and for every number said about a
 * model trained on it: the source's own leads, synced from the CRM or imported from CSV. Its
 * demo leads (Demo mode's made-up ones, stored under the same source) count only while it has
 * no other lead, so a model can still be tried on demo data alone; once real leads are stored,
 * made-up ones must not mix into "your own history". A sync never removes them.
 */
import { CRM_KINDS } from '../crm/types';
import { prefixRange } from './chunks';
import { countStoredLeads, db, demoLeadKeys, leadKeyPrefix } from './db';
import type { SourceKind } from '../ml/featurize';

export interface HistoryRule {
  /** The source's history is its demo leads: it has no other lead. */
  demoOnly: boolean;
  /** The keys of the source's demo leads left out of its history (none when `demoOnly`). */
  demoLeftOut: ReadonlySet<string>;
}

/**
 * The rule for `source`, from counts, and keys only when they cannot tell: with no demo lead
 * stored, or only demo leads (Demo mode stores them under both CRMs), no key is read; the pages
 * ask this with 100,000 leads stored.
 */
export function historyRule(source: SourceKind): Promise<HistoryRule> {
  return db.transaction('r', db.leads, async () => {
    const demoTotal = await db.leads.where('origin').equals('demo').count();
    if (demoTotal === 0) return { demoOnly: false, demoLeftOut: new Set<string>() };
    const [stored, ...perCrm] = await Promise.all([countStoredLeads(source), ...CRM_KINDS.map(countStoredLeads)]);
    if (demoTotal === perCrm.reduce((sum, count) => sum + count, 0)) return { demoOnly: source !== 'csv' && stored > 0, demoLeftOut: new Set<string>() };
    const demoKeys = await demoLeadKeys();
    const demo = demoKeys.filter((key) => key.startsWith(leadKeyPrefix(source)));
    const demoOnly = demo.length > 0 && demo.length === stored;
    return { demoOnly, demoLeftOut: new Set(demoOnly ? [] : demo) };
  });
}

/** How many stored leads are Demo mode's and how many are the user's own (synced or imported), counted by index. */
export function demoLeadMix(): Promise<{ demo: number; own: number }> {
  return db.transaction('r', db.leads, async () => {
    const [demo, all] = await Promise.all([db.leads.where('origin').equals('demo').count(), db.leads.count()]);
    return { demo, own: all - demo };
  });
}

/** Whether the lead of `leadKey` (of the rule's source) is in its history. */
export function inHistory(rule: HistoryRule, leadKey: string): boolean {
  return !rule.demoLeftOut.has(leadKey);
}

export interface HistoryKeys {
  keys: string[];
  rule: HistoryRule;
}

/**
 * The keys of `source`'s history, read with its rule in one transaction (no lead's fields read):
 * a range of primary keys (`${source}|…`, in the order the source index gives them), filtered
 * only when demo leads are left out. The options page asks this with 100,000 leads stored.
 */
export function historyKeys(source: SourceKind): Promise<HistoryKeys> {
  return db.transaction('r', db.leads, async () => {
    const [rule, keys] = await Promise.all([
      historyRule(source),
      db.leads.where(':id').between(...prefixRange(leadKeyPrefix(source))).primaryKeys() as Promise<string[]>,
    ]);
    return { keys: rule.demoLeftOut.size === 0 ? keys : keys.filter((key) => inHistory(rule, key)), rule };
  });
}
