/**
 * The imported CSV leads in IndexedDB: one import at a time, replaced as a whole. A new import's
 * rows wait in `csvStaging` and replace the previous import in one transaction at the end, with
 * the outcome rule the import read their outcomes by (a settings row, which a purge clears with the
 * leads) and their scoring owed.
 */
import { forEachChunk } from '../db/chunks';
import { countStoredLeads, db, type StoredLead } from '../db/db';
import { oweSourceScoring, withStoredScoresPaused } from '../jobs/progress';
import { OutcomeRuleSchema, type OutcomeRule } from '../ml/outcome-rule';
import { importCsv, type CsvMapping, type CsvReplacement, type ImportProgress, type LeadSink } from './import';

/** Held by the import running, from its first staged row to its commit: one import at a time. */
export const CSV_IMPORT_LOCK = 'leadlens-csv-import';
/**
 * Where "Purge everything" tells a running import to stop (the background cannot reach the
 * import's worker otherwise); it then waits for CSV_IMPORT_LOCK.
 */
export const CSV_IMPORT_CANCEL_CHANNEL = 'leadlens-csv-import-cancel';

/** Staged rows copied per request by the swap (memory stays flat on large imports). */
const COPY_CHUNK = 2000;

/** The settings row of the stored import's outcome rule (`importedOutcomeRule`); none when it chose no outcome column. */
const IMPORTED_OUTCOME_RULE_KEY = 'csvImport:outcomeRule';

/** The stored CSV leads' keys: the previous import, which the next one replaces whole. */
const storedCsvKeys = async () => (await db.leads.where('origin').equals('csv').primaryKeys()) as string[];

/**
 * A CSV lead keyed by its row (csvLead), when its row had no record id: the next file's row 5 is
 * another lead unless it is the same row, so its held-out probability follows its row alone.
 */
const keyedByRow = (key: string) => key.startsWith('csv|row-');

/** What replacing the leads of `oldKeys` by those of `newKeys` does, `heldOutLost` as `HeldOutSuccession` found it. */
function replacementOf(oldKeys: readonly string[], newKeys: ReadonlySet<string>, heldOutLost: number): CsvReplacement {
  const updated = oldKeys.filter((key) => newKeys.has(key)).length;
  return { added: newKeys.size - updated, updated, removed: oldKeys.length - updated, heldOutLost };
}

export const dexieCsvSink: LeadSink = {
  discard: async () => void (await db.csvStaging.clear()),
  stage: async (leads) => void (await db.csvStaging.bulkPut(leads)),
  stagedCount: () => db.csvStaging.count(),
  // A worker stopped during the swap aborts the transaction: the previous import stays whole.
  // The previous import's scores go with its leads. The new leads' scoring with the active model is
  // owed in the same transaction: the page asks for it once imported, but a page closed first, or a
  // browser closed while that request waits for another job's turn, would leave them unscored for
  // good; start-up and the hourly check ask for a scoring owed and not asked.
  commit: (outcome) =>
    withStoredScoresPaused(() =>
      db.transaction('rw', [...db.leadReplacementTables, db.csvStaging, db.settings], async () => {
        const oldKeys = await storedCsvKeys();
        const newKeys = new Set<string>();
        // Held-out probabilities follow their rows (the same file under another mapping keeps them). The new keys are noted as they are copied.
        const copy = (put: (leads: StoredLead[]) => Promise<void>) =>
          forEachChunk(db.csvStaging, COPY_CHUNK, (leads) => {
            for (const lead of leads) newKeys.add(lead.key);
            return put(leads);
          });
        const { heldOutLost } = await db.replaceLeads(oldKeys, copy, keyedByRow);
        await oweSourceScoring('csv');
        await db.csvStaging.clear();
        // With its leads: the previous import's rule goes with them, as it labelled them and no others.
        if (outcome) await db.settings.put({ key: IMPORTED_OUTCOME_RULE_KEY, value: outcome });
        else await db.settings.delete(IMPORTED_OUTCOME_RULE_KEY);
        return replacementOf(oldKeys, newKeys, heldOutLost);
      }),
    ),
};

/**
 * The outcome rule the stored CSV import read its leads' outcomes by (`CsvMapping.outcome`: its
 * field, converted and still-open values), where the training form starts from; null when the
 * import chose no outcome column, or none is stored (nothing imported, purged, or imported before the rule was kept).
 */
export async function importedOutcomeRule(): Promise<OutcomeRule | null> {
  const parsed = OutcomeRuleSchema.safeParse((await db.settings.get(IMPORTED_OUTCOME_RULE_KEY))?.value);
  return parsed.success ? parsed.data : null;
}

/** The stored import, as the mapping form compares a new file with it: how many leads it holds, and the outcome rule it read them by. */
export async function storedImport(): Promise<{ leads: number; outcome: OutcomeRule | null }> {
  const [leads, outcome] = await Promise.all([countStoredLeads('csv'), importedOutcomeRule()]);
  return { leads, outcome };
}

/**
 * What importing the file under `mapping` would do to the stored CSV leads, stored nothing: the
 * import's own reading (`importCsv`, which throws what the import would) into a sink that keeps
 * only the keys, and the same matching of the leads models learnt from as the commit's
 * (`HeldOutSuccession`). The stored leads as they are now: the page asks again once they change.
 */
export async function compareWithStoredImport(
  openFile: () => AsyncIterable<string>,
  mapping: CsvMapping,
  options: { onProgress?: (progress: ImportProgress) => void; signal?: AbortSignal } = {},
): Promise<CsvReplacement> {
  const oldKeys = await storedCsvKeys();
  const succession = await db.heldOutSuccession(oldKeys);
  const learntFrom = new Set(succession.learntFrom);
  const newKeys = new Set<string>();
  // The names the commit would read back under the keys of leads learnt from (`replaceLeads`).
  const nameOf = new Map<string, string>();
  const counting: LeadSink = {
    // The leads staged so far are none the import stores: it reads the file again when they are not its rows as stored.
    discard: async () => {
      if (newKeys.size === 0) return;
      newKeys.clear();
      nameOf.clear();
      succession.forgetNewRows();
    },
    stage: async (leads) => {
      for (const lead of leads) {
        newKeys.add(lead.key);
        if (learntFrom.has(lead.key)) nameOf.set(lead.key, lead.name);
      }
      succession.note(leads);
    },
    stagedCount: async () => newKeys.size,
    commit: async () => {
      const successorOf = await succession.successors(async (keys) => keys.map((key) => nameOf.get(key)), keyedByRow);
      return replacementOf(oldKeys, newKeys, learntFrom.size - successorOf.size);
    },
  };
  return (await importCsv(openFile, mapping, counting, options)).replaced;
}

/**
 * Drops the rows an import staged and never committed (its page closed or crashed mid-file): the
 * previous import stayed whole, but the copy would sit in IndexedDB until the next import. Only
 * while no import holds the lock, that is, while none is staging.
 */
export async function discardAbandonedImport(): Promise<void> {
  await navigator.locks.request(CSV_IMPORT_LOCK, { ifAvailable: true }, async (lock) => {
    if (lock && (await db.csvStaging.count()) > 0) await dexieCsvSink.discard();
  });
}
