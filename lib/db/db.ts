/**
 * The extension's IndexedDB, through Dexie. Versions are dated and append-only: add a new
 * `version(n)` with its upgrade below the last one, never edit an old one (each upgrade
 * is tested in db.test.ts).
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import { forEachChunk, prefixRange } from './chunks';
import type { ScoredLead, Tier } from '../messaging/protocol';
import type { Manifest } from '../ml/manifest';
import type { CrmKind } from '../crm/types';
import type { RawRecord, SourceKind } from '../ml/featurize';

/** A lead's score as shown on its record page, cached until its fields or the model change. */
/** The lead (`${crm}|${recordId}`) a cached score's key (`${modelId}|${crm}|${recordId}`) is of. */
export const leadKeyOfCachedScore = (key: string): string => key.split('|').slice(-2).join('|');

export interface CachedScore {
  /** `${modelId}|${crm}|${recordId}` */
  key: string;
  /** Hash of the page's fields the score was asked for. */
  fieldsHash: string;
  lead: ScoredLead;
  scoredAt: number;
  /** The fields scored (the API record, the page's fields filling its empty values), for the side panel's explanation; absent in entries cached before they were kept. */
  fields?: RawRecord;
  /** The org or portal of the page it was scored for (score-cache.ts): a page of another, with the same record id, is never answered from it. */
  account?: string;
}

/** A lead LeadLens knows in full: synced from a CRM, imported from CSV, or demo data. */
export interface StoredLead {
  /** `${source}|${id}` */
  key: string;
  /** How `fields` are keyed: Salesforce API names, HubSpot property names, or CSV columns. */
  source: SourceKind;
  id: string;
  origin: 'demo' | 'sync' | 'csv';
  name: string;
  /** For the side panel's filters. */
  owner: string;
  leadSource: string;
  /** Epoch ms, or 0 when unknown. */
  createdAt: number;
  /** Epoch ms of the CRM's last change (the sync cursor), or 0. */
  modifiedAt: number;
  /** Whether it converted, when known (history for training and for tier conversion rates). */
  outcome: 0 | 1 | null;
  fields: RawRecord;
}

/**
 * What pages show and filter on of a stored lead (side panel, scores export, policy previews):
 * the lead without `fields`, `origin` and `modifiedAt`. IndexedDB cannot read single columns,
 * so pages read these small rows instead of whole leads (hundreds of MB at 100,000 leads).
 */
export type LeadSummary = Pick<StoredLead, 'key' | 'source' | 'id' | 'name' | 'owner' | 'leadSource' | 'createdAt' | 'outcome'>;

export function summaryOf({ key, source, id, name, owner, leadSource, createdAt, outcome }: StoredLead): LeadSummary {
  return { key, source, id, name, owner, leadSource, createdAt, outcome };
}

/** Summaries written per request by the upgrade that fills them (memory stays flat on large stores). */
const SUMMARY_FILL_CHUNK = 2000;

/** A stored lead's score under one model. Tier follows the model's current tier policy. */
export interface LeadScore {
  /** `${modelId}|${leadKey}` */
  key: string;
  modelId: string;
  leadKey: string;
  probability: number;
  score: number;
  tier: Tier;
  /** The strongest reason for its tier, in words ("Job title seniority: VP Sales"). */
  topReason: string;
  /**
   * The strongest reasons up and down ("" when none matters), so that a new tier policy picks
   * the top reason of the new tier without scoring again. Absent in rows scored before them.
   */
  reasonUp?: string;
  reasonDown?: string;
  scoredAt: number;
}

/** A model kept in the browser: trained here or imported. The bundled one lives in the package. */
export interface StoredModel {
  id: string;
  origin: 'trained' | 'imported';
  manifest: Manifest;
  onnx: Uint8Array;
  addedAt: number;
  /**
   * `false` while an imported model awaits the engine's check (model-versions.ts `importModel`):
   * not listed and not activatable until the check passes and sets it to `true`. Absent (trained
   * models, and rows stored before imports were flagged) = usable. Not indexed: no new version.
   */
  checked?: boolean;
}

/**
 * A model trained here: the leads it was trained on and each one's calibrated probability from
 * the model of the cross-validation fold that held it out (the trainer chose its thresholds on
 * these). Tier policies and the report's confusion matrices read these for those leads, not
 * the leads' stored scores by the final model, which trained on them.
 */
export interface HeldOutScores {
  modelId: string;
  leadKeys: string[];
  /** [leadKeys.length] */
  probabilities: Float64Array;
}

/** Small settings: the active model id, tier policy overrides, sync cursors. */
export interface Setting {
  key: string;
  value: unknown;
}

export class LeadLensDb extends Dexie {
  scores!: EntityTable<CachedScore, 'key'>;
  /** Written only through `putLeads` and `deleteLeads`, which keep `leadSummaries` in step. */
  leads!: EntityTable<StoredLead, 'key'>;
  /** One per stored lead, same key: what pages read of the leads. */
  leadSummaries!: EntityTable<LeadSummary, 'key'>;
  leadScores!: EntityTable<LeadScore, 'key'>;
  models!: EntityTable<StoredModel, 'id'>;
  settings!: EntityTable<Setting, 'key'>;
  /** A CSV import's leads until the whole file has been checked (lib/csv/stored.ts). */
  csvStaging!: EntityTable<StoredLead, 'key'>;
  /** One row per model trained here (none for the bundled or an imported model). */
  heldOutScores!: EntityTable<HeldOutScores, 'modelId'>;

  constructor(name = 'leadlens') {
    super(name);
    // 2026-11-22: score cache for record pages.
    this.version(1).stores({ scores: 'key, scoredAt' });
    // 2026-11-22: stored leads and their scores (side panel, list views, training), models, settings.
    this.version(2).stores({
      leads: 'key, source, origin, createdAt, modifiedAt, owner, leadSource',
      leadScores: 'key, leadKey, [modelId+tier], [modelId+probability]',
      models: 'id, addedAt',
      settings: 'key',
    });
    // 2026-12-02: a CSV import is staged apart from the stored leads, so a failed one keeps the previous import.
    this.version(3).stores({ csvStaging: 'key' });
    // 2026-12-02: lead summaries, so that pages need not read every lead's fields.
    this.version(4)
      .stores({ leadSummaries: 'key' })
      .upgrade((tx) =>
        forEachChunk(tx.table<StoredLead, string>('leads'), SUMMARY_FILL_CHUNK, async (leads) => {
          await tx.table<LeadSummary, string>('leadSummaries').bulkPut(leads.map(summaryOf));
        }),
      );
    // 2026-12-03: held-out probabilities of a trained model's leads, so a tier policy is previewed as the trainer chose it.
    this.version(5).stores({ heldOutScores: 'modelId' });
  }

  /**
   * The tables a write of stored leads touches: a transaction that calls `putLeads` lists
   * them in its scope (Dexie throws if one is missing); `deleteLeads` needs `leadScores` too.
   */
  get leadTables(): Table[] {
    return [this.leads, this.leadSummaries];
  }

  /** Stores `leads` (new or replacing) with their summaries, atomically, or within the caller's transaction. */
  putLeads(leads: StoredLead[]): Promise<void> {
    return this.transaction('rw', this.leadTables, async () => {
      await this.leads.bulkPut(leads);
      await this.leadSummaries.bulkPut(leads.map(summaryOf));
    });
  }

  /** Deletes the leads of `keys` with their summaries and every model's scores of them, atomically, or within the caller's transaction. */
  deleteLeads(keys: string[]): Promise<void> {
    return this.transaction('rw', [...this.leadTables, this.leadScores], async () => {
      await this.leadScores.where('leadKey').anyOf(keys).delete();
      await this.leads.bulkDelete(keys);
      await this.leadSummaries.bulkDelete(keys);
    });
  }

  /**
   * Replaces the leads of `oldKeys` by `store()`'s (within the caller's transaction, which lists
   * `leadReplacementTables`), and takes the keys now naming another lead, or none, out of every
   * trained model's held-out probabilities: a key can come back as another lead, whose outcome
   * the old lead's probability must not be paired with. A key back with the same name is the
   * same lead (demo data reloaded, a CSV export of the same records): its held-out probability
   * stays, as it is what keeps previews honest; one that names a position, not a lead
   * (`byPosition`: a CSV's row number), never is.
   */
  async replaceLeads(oldKeys: string[], store: () => Promise<void>, byPosition: (key: string) => boolean = () => false): Promise<void> {
    // Without a trained model's held-out probabilities there is nothing to keep in step: no names read twice (an import can replace 100,000 leads).
    const tracked = (await this.heldOutScores.count()) > 0;
    const before = tracked ? await this.leadSummaries.bulkGet(oldKeys) : [];
    await this.deleteLeads(oldKeys);
    await store();
    if (!tracked) return;
    const after = await this.leadSummaries.bulkGet(oldKeys);
    await this.forgetHeldOutScoresOf(new Set(oldKeys.filter((key, i) => byPosition(key) || after[i] === undefined || after[i]?.name !== before[i]?.name)));
  }

  /** The tables a transaction calling `replaceLeads` lists in its scope. */
  get leadReplacementTables(): Table[] {
    return [...this.leadTables, this.leadScores, this.heldOutScores];
  }

  /** Takes the leads of `leadKeys` out of every trained model's held-out probabilities (within the caller's transaction). */
  async forgetHeldOutScoresOf(leadKeys: ReadonlySet<string>): Promise<void> {
    if (leadKeys.size === 0) return;
    for (const { modelId, leadKeys: trainedOn, probabilities } of await this.heldOutScores.toArray()) {
      const kept = trainedOn.flatMap((key, i) => (leadKeys.has(key) ? [] : [i]));
      if (kept.length < trainedOn.length) await this.heldOutScores.put({ modelId, leadKeys: kept.map((i) => trainedOn[i]), probabilities: Float64Array.from(kept, (i) => probabilities[i]) });
    }
  }
}

export const db = new LeadLensDb();

/** The leads synced from `crm` (not its demo leads), in key order. */
export function syncedLeadsOf(crm: CrmKind) {
  return db.leads.where(':id').between(...prefixRange(`${crm}|`)).filter((lead) => lead.origin === 'sync');
}

/**
 * How many leads of a source are stored: a range of primary keys (`${source}|…`), which
 * Chromium counts faster than the `source` index (that count checks every index entry
 * against the store).
 */
export function countStoredLeads(source: SourceKind): Promise<number> {
  return db.leads.where(':id').between(...prefixRange(`${source}|`)).count();
}

/**
 * How many of each source's stored leads are the user's own (synced or imported), and how many
 * are Demo mode's: it stores them under the CRMs' keys, yet they are not leads from either CRM.
 * Demo leads are few (Demo mode loads 2,000), so their keys are read; the others are counted.
 */
export function countStoredLeadsByOrigin(): Promise<{ own: Record<SourceKind, number>; demo: number }> {
  return db.transaction('r', db.leads, async () => {
    const [demoKeys, salesforce, hubspot, csv] = await Promise.all([
      db.leads.where('origin').equals('demo').primaryKeys(),
      countStoredLeads('salesforce'),
      countStoredLeads('hubspot'),
      countStoredLeads('csv'),
    ]);
    const ownOf = (source: SourceKind, stored: number) => stored - demoKeys.filter((key) => key.startsWith(`${source}|`)).length;
    return { own: { salesforce: ownOf('salesforce', salesforce), hubspot: ownOf('hubspot', hubspot), csv: ownOf('csv', csv) }, demo: demoKeys.length };
  });
}
