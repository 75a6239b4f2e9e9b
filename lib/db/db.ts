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

/** A stored lead's key: one per record of a source, so a record stored again overwrites itself. */
export const leadKeyOf = (source: SourceKind, id: string): string => `${source}|${id}`;
/** What every key of `source`'s stored leads begins with (for `prefixRange`). */
export const leadKeyPrefix = (source: SourceKind): string => `${source}|`;
/** The `leadKeyPrefix` a lead key begins with: its source's. */
export const leadKeyPrefixOf = (leadKey: string): string => leadKey.slice(0, leadKey.indexOf('|') + 1);
/** A model's score of a lead: its stored score (`db.leadScores`) or a record page's cached score (`db.scores`). */
export const scoreKeyOf = (modelId: string, ofLead: string): string => `${modelId}|${ofLead}`;
/** What every key of `modelId`'s scores begins with (for `prefixRange`). */
export const scoreKeyPrefix = (modelId: string): string => `${modelId}|`;
/** The lead a cached score's key (`scoreKeyOf`) is of. */
export const leadKeyOfCachedScore = (key: string): string => key.split('|').slice(-2).join('|');

/**
 * A lead's score as shown on its record page, cached per model: the page is answered from it while
 * its fields are the same and it is younger than the Record pages setting (`recordStaleHours`), and
 * it is deleted once older (score-cache.ts). Read back through `CachedScoreSchema` (score-cache.ts).
 */
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

/** Summaries written per request by the upgrades that fill or change them (memory stays flat on large stores). */
const SUMMARY_FILL_CHUNK = 2000;

/** Leads read per request by `replaceLeads` for the rows models learnt from (memory stays flat on large imports). */
const ROW_READ_CHUNK = 2000;

/** Leads read per request by `readLeadsForTraining`: a chunk of a CRM's widest leads is all it holds whole at once. */
const TRAINING_READ_CHUNK = 500;

/** Lead summaries read per request by `readLeadsForTraining` for the leads' created dates. */
const CREATED_DATE_READ_CHUNK = 2000;

/**
 * What tells a lead's row from another's: its fields (a CSV row's every cell, whichever columns
 * name it), hashed to 64 bits (cyrb53's two 32-bit halves, unmasked), so the rows of a 100,000-lead
 * import are compared without holding their text.
 */
function rowIdentity(fields: RawRecord): string {
  const text = JSON.stringify(Object.keys(fields).sort().map((name) => [name, fields[name]]));
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${(h2 >>> 0).toString(16)}:${(h1 >>> 0).toString(16)}`;
}

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
 * these). Tier policies and the report's confusion matrices read these (a value or fixed policy
 * their `crossFittedProbabilities`) for those leads, not the leads' stored scores by the final
 * model, which trained on them. Keyed by lead key: a replacement of the leads moves them with
 * their rows (`replaceLeads`).
 */
export interface HeldOutScores {
  modelId: string;
  leadKeys: string[];
  /** [leadKeys.length] */
  probabilities: Float64Array;
  /**
   * [leadKeys.length] Each one's held-out logit, which a later training's comparison ranks these
   * leads by (an isotonic calibration, fitted on them, ties some of their probabilities). Absent
   * in rows kept by an older LeadLens. Not indexed: no new version.
   */
  logits?: Float64Array;
  /**
   * [leadKeys.length] Each one's held-out logit through a calibration fitted again without its
   * fold: what a value or fixed policy's tiers of these leads are counted by (`countedProbabilities`),
   * as the model card counts them. Absent in rows kept by an older LeadLens, whose leads are counted
   * by `probabilities`. Not indexed: no new version.
   */
  crossFittedProbabilities?: Float64Array;
}

/** `scores` of the leads at `kept` (indices into its `leadKeys`) alone, under the keys `leadKeys` [kept.length]. */
export function keptHeldOutScores({ modelId, probabilities, logits, crossFittedProbabilities }: HeldOutScores, kept: readonly number[], leadKeys: string[]): HeldOutScores {
  return {
    modelId,
    leadKeys,
    probabilities: Float64Array.from(kept, (i) => probabilities[i]),
    ...(logits && { logits: Float64Array.from(kept, (i) => logits[i]) }),
    ...(crossFittedProbabilities && { crossFittedProbabilities: Float64Array.from(kept, (i) => crossFittedProbabilities[i]) }),
  };
}

/**
 * Which lead written in place of a replaced one is the same lead, for the replaced leads models
 * learnt from (`learntFrom`), whose held-out probabilities follow it. A lead is the same lead
 * when its row is written again word for word (the same fields), under its key or another: a file
 * imported again with another record id or name column, or numbered by row in another order;
 * else when its key comes back with the same name (demo data reloaded, a CSV export of the same
 * records with an outcome known since), unless the key names a position, not a lead
 * (`byPosition`: a CSV's row number). Told the new leads as they are written (`note`), then asked
 * for each old lead's successor (`successors`).
 */
export class HeldOutSuccession {
  private readonly wantedRows: ReadonlySet<string>;
  /** The new leads whose row is one of those learnt from, in the order written. */
  private readonly newRowOf = new Map<string, string>();

  constructor(
    /** Every trained model's held-out probabilities, as stored before the replacement. */
    readonly heldOut: HeldOutScores[],
    readonly learntFrom: readonly string[],
    private readonly oldRowOf: ReadonlyMap<string, string>,
    private readonly oldNameOf: ReadonlyMap<string, string>,
  ) {
    this.wantedRows = new Set(oldRowOf.values());
  }

  /** Notes leads written in place of the replaced ones. */
  note(leads: readonly StoredLead[]): void {
    if (this.wantedRows.size === 0) return;
    for (const lead of leads) {
      const row = rowIdentity(lead.fields);
      if (this.wantedRows.has(row)) this.newRowOf.set(lead.key, row);
    }
  }

  /** Forgets the leads noted so far: they are not written after all (an import that reads its file again). */
  forgetNewRows(): void {
    this.newRowOf.clear();
  }

  /**
   * Each lead learnt from that has one → the key of its successor. `namesNow`: the names of the
   * leads now stored (or to be stored) under `keys`, undefined where none is.
   */
  async successors(namesNow: (keys: string[]) => Promise<(string | undefined)[]>, byPosition: (key: string) => boolean): Promise<Map<string, string>> {
    const { learntFrom, oldRowOf, newRowOf } = this;
    const successorOf = new Map<string, string>();
    const taken = new Set<string>();
    const claim = (oldKey: string, newKey: string) => {
      successorOf.set(oldKey, newKey);
      taken.add(newKey);
    };
    // A row back under its own key first, so that a row repeated word for word does not take another's key.
    for (const key of learntFrom) if (oldRowOf.has(key) && newRowOf.get(key) === oldRowOf.get(key)) claim(key, key);
    const freeKeysOfRow = new Map<string, string[]>();
    for (const [key, row] of newRowOf) {
      if (taken.has(key)) continue;
      const free = freeKeysOfRow.get(row);
      if (free) free.push(key);
      else freeKeysOfRow.set(row, [key]);
    }
    for (const key of learntFrom) {
      const moved = successorOf.has(key) ? undefined : freeKeysOfRow.get(oldRowOf.get(key) ?? '')?.pop();
      if (moved !== undefined) claim(key, moved);
    }
    const byName = learntFrom.filter((key) => !successorOf.has(key) && !taken.has(key) && !byPosition(key));
    const names = await namesNow(byName);
    byName.forEach((key, i) => {
      if (names[i] !== undefined && names[i] === this.oldNameOf.get(key)) claim(key, key);
    });
    return successorOf;
  }
}

/**
 * A stored lead owed a score: written with the lead (`putLeads`), so a lead stored new or changed is
 * owed one until a scoring run writes its score from those fields (or finds it has none), which
 * deletes this row in the same transaction unless the lead was stored again meanwhile (another
 * `writeId`). A run over one source's leads (a sync's, a CSV import's) scores these alone.
 */
export interface OwedLeadScore {
  /** The lead's key. */
  key: string;
  /**
   * Drawn at random for each write that owes scores: tells that write from a later one of the
   * same lead, however soon after (two writes can share a millisecond).
   */
  writeId: string;
}

/** The owed-score rows of one write owing the leads of `keys` a score, under a `writeId` of its own. */
export function owedScoresOf(keys: readonly string[]): OwedLeadScore[] {
  const writeId = crypto.randomUUID();
  return keys.map((key) => ({ key, writeId }));
}

/**
 * A stored lead that model `modelId` went through as stored and gave no score (it reads none of
 * the lead's fields, or gives it no probability): a run over its source does not owe it that model's score again until it is
 * stored again (`putLeads` deletes this row, as `deleteLeads` does), as the model would find the
 * same. Written by the scoring run in the transaction that settles what the lead owed. One per
 * lead, of the last model that found it so; a score of the lead deletes it.
 */
export interface UnscorableLead {
  /** The lead's key. */
  key: string;
  modelId: string;
}

/** Small settings: the active model id, tier policy overrides, sync cursors. */
export interface Setting {
  key: string;
  value: unknown;
}

export class LeadLensDb extends Dexie {
  scores!: EntityTable<CachedScore, 'key'>;
  /** Written only through `putLeads`, `restampLeads` and `deleteLeads`, which keep `leadSummaries`, `owedLeadScores` and `unscorableLeads` in step. */
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
  /** One per stored lead stored since it was last scored (by any model): see `OwedLeadScore`. */
  owedLeadScores!: EntityTable<OwedLeadScore, 'key'>;
  /** The stored leads the model that last went through them gave no score: see `UnscorableLead`. */
  unscorableLeads!: EntityTable<UnscorableLead, 'key'>;

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
    // 2026-12-06: the leads owed a score, so a sync's scoring scores what it stored, not every lead of its CRM, and
    // those a model gave no score, so it is not owed them again. Until then a scoring owed of a source was of all its
    // leads: every stored lead is owed one (the next run over its source, or over every lead, scores it), so none a
    // sync stored before the update is left with the score of its old fields.
    this.version(6)
      .stores({ owedLeadScores: 'key', unscorableLeads: 'key, [modelId+key]' })
      .upgrade((tx) =>
        forEachChunk(tx.table<LeadSummary, string>('leadSummaries'), SUMMARY_FILL_CHUNK, async (summaries) => {
          await tx.table<OwedLeadScore, string>('owedLeadScores').bulkPut(owedScoresOf(summaries.map(({ key }) => key)));
        }),
      );
    // 2026-12-06: Demo mode stored a demo lead nobody owns with owner 'Unassigned' until 41e3457 (now '', as a sync
    // stores one): those stored before are given none, once, here, rather than on every read of the side panel. A lead of
    // your own owned by a CRM user or queue named 'Unassigned' keeps it.
    this.version(7).upgrade(async (tx) => {
      const leads = tx.table<StoredLead, string>('leads');
      // Two key reads, no lead read whole; Demo mode's keys only when some lead has that owner.
      const ownedByUnassigned = await leads.where('owner').equals('Unassigned').primaryKeys();
      if (ownedByUnassigned.length === 0) return;
      const demo = new Set(await leads.where('origin').equals('demo').primaryKeys());
      const demoKeys = ownedByUnassigned.filter((key) => demo.has(key));
      for (let start = 0; start < demoKeys.length; start += SUMMARY_FILL_CHUNK) {
        const noOwner = demoKeys.slice(start, start + SUMMARY_FILL_CHUNK).map((key) => ({ key, changes: { owner: '' } }));
        await leads.bulkUpdate(noOwner);
        await tx.table<LeadSummary, string>('leadSummaries').bulkUpdate(noOwner);
      }
    });
  }

  /**
   * The tables a write of stored leads touches: a transaction that calls `putLeads` lists
   * them in its scope (Dexie throws if one is missing); `deleteLeads` needs `leadScores` too.
   */
  get leadTables(): Table[] {
    return [this.leads, this.leadSummaries, this.owedLeadScores, this.unscorableLeads];
  }

  /**
   * Stores `leads` (new or replacing) with their summaries, each owed a score (`OwedLeadScore`) and
   * no longer taken for unscorable (`UnscorableLead`), atomically, or within the caller's
   * transaction. A lead unchanged is better left out: it would be scored again for nothing.
   */
  putLeads(leads: StoredLead[]): Promise<void> {
    return this.transaction('rw', this.leadTables, async () => {
      const keys = leads.map(({ key }) => key);
      await this.leads.bulkPut(leads);
      await this.leadSummaries.bulkPut(leads.map(summaryOf));
      await this.owedLeadScores.bulkPut(owedScoresOf(keys));
      // Walked, not deleted key by key: most leads have no such row (an import stores 100,000).
      await this.unscorableLeads.where(':id').anyOf(keys).delete();
    });
  }

  /**
   * Stores `leads` over their stored copies, from which they differ in nothing a page shows or a
   * model reads (what a write-back of LeadLens's wrote into them, kept as it wrote or as a sync
   * reads it back: store.ts `differsOnlyByWriteBack`): their summaries stay, and no score is owed,
   * as it would be the one they have (unless the model reads a CRM's modification stamp, which
   * training flags and an admin kept anyway). Within the caller's transaction, if any.
   */
  async restampLeads(leads: StoredLead[]): Promise<void> {
    await this.transaction('rw', this.leads, () => this.leads.bulkPut(leads));
  }

  /**
   * Deletes the leads of `keys` with their summaries, the scores they are owed, what says a model
   * gave them none, and every model's scores of them, atomically, or within the caller's transaction.
   */
  deleteLeads(keys: string[]): Promise<void> {
    return this.transaction('rw', [...this.leadTables, this.leadScores], async () => {
      await this.leadScores.where('leadKey').anyOf(keys).delete();
      await this.leads.bulkDelete(keys);
      await this.leadSummaries.bulkDelete(keys);
      await this.owedLeadScores.bulkDelete(keys);
      await this.unscorableLeads.where(':id').anyOf(keys).delete();
    });
  }

  /**
   * Replaces the leads of `oldKeys` by those `store` writes through `put` (within the caller's
   * transaction, which lists `leadReplacementTables`), keeping every trained model's held-out
   * probabilities with the leads they are of (`HeldOutSuccession` tells which new lead is which
   * old one). The others are taken out: a key can come back as another lead, whose outcome the old
   * lead's probability must not be paired with. Leads `store` writes other than through `put` are
   * matched by key and name only. Resolves with how many leads models learnt from lost their
   * held-out probabilities.
   */
  async replaceLeads(
    oldKeys: string[],
    store: (put: (leads: StoredLead[]) => Promise<void>) => Promise<void>,
    byPosition: (key: string) => boolean = () => false,
  ): Promise<{ heldOutLost: number }> {
    const succession = await this.heldOutSuccession(oldKeys);
    await this.deleteLeads(oldKeys);
    // No model learnt from these leads: nothing to keep in step, no lead read twice (an import can replace 100,000 leads).
    if (succession.learntFrom.length === 0) {
      await store((leads) => this.putLeads(leads));
      return { heldOutLost: 0 };
    }
    await store(async (leads) => {
      await this.putLeads(leads);
      succession.note(leads);
    });
    const successorOf = await succession.successors(async (keys) => (await this.leadSummaries.bulkGet(keys)).map((lead) => lead?.name), byPosition);
    await this.moveHeldOutScores(succession.heldOut, new Set(succession.learntFrom), successorOf);
    return { heldOutLost: succession.learntFrom.length - successorOf.size };
  }

  /**
   * What `replaceLeads` needs to know of the leads of `oldKeys` before they are replaced: which of
   * them models learnt from, and those leads' rows and names. Also read, without replacing
   * anything, to count what a replacement would cost (csv/stored.ts `compareWithStoredImport`).
   */
  async heldOutSuccession(oldKeys: readonly string[]): Promise<HeldOutSuccession> {
    const heldOut = await this.heldOutScores.toArray();
    const trainedOn = new Set(heldOut.flatMap(({ leadKeys }) => leadKeys));
    const learntFrom = oldKeys.filter((key) => trainedOn.has(key));
    const oldRowOf = new Map<string, string>();
    const oldNameOf = new Map<string, string>();
    for (let start = 0; start < learntFrom.length; start += ROW_READ_CHUNK) {
      for (const lead of await this.leads.bulkGet(learntFrom.slice(start, start + ROW_READ_CHUNK))) {
        if (!lead) continue;
        oldRowOf.set(lead.key, rowIdentity(lead.fields));
        oldNameOf.set(lead.key, lead.name);
      }
    }
    return new HeldOutSuccession(heldOut, learntFrom, oldRowOf, oldNameOf);
  }

  /** Moves the leads of `replaced` in the models' held-out probabilities (`heldOut`, as stored) to their successor's key, and takes out those without one (within the caller's transaction). */
  private async moveHeldOutScores(heldOut: HeldOutScores[], replaced: ReadonlySet<string>, successorOf: ReadonlyMap<string, string>): Promise<void> {
    for (const scores of heldOut) {
      // undefined: taken out.
      const keysNow = scores.leadKeys.map((key) => (replaced.has(key) ? successorOf.get(key) : key));
      if (keysNow.every((key, i) => key === scores.leadKeys[i])) continue;
      const kept = keysNow.flatMap((key, i) => (key === undefined ? [] : [i]));
      await this.heldOutScores.put(keptHeldOutScores(scores, kept, kept.map((i) => keysNow[i]!)));
    }
  }

  /** The tables a transaction calling `replaceLeads` lists in its scope. */
  get leadReplacementTables(): Table[] {
    return [...this.leadTables, this.leadScores, this.heldOutScores];
  }

  /** Takes the leads of `leadKeys` out of every trained model's held-out probabilities (within the caller's transaction). */
  async forgetHeldOutScoresOf(leadKeys: ReadonlySet<string>): Promise<void> {
    if (leadKeys.size === 0) return;
    for (const scores of await this.heldOutScores.toArray()) {
      const kept = scores.leadKeys.flatMap((key, i) => (leadKeys.has(key) ? [] : [i]));
      if (kept.length < scores.leadKeys.length) await this.heldOutScores.put(keptHeldOutScores(scores, kept, kept.map((i) => scores.leadKeys[i])));
    }
  }
}

export const db = new LeadLensDb();

/** The leads synced from `crm` (not its demo leads), in key order. */
export function syncedLeadsOf(crm: CrmKind) {
  return db.leads.where(':id').between(...prefixRange(leadKeyPrefix(crm))).filter((lead) => lead.origin === 'sync');
}

/**
 * How many leads of a source are stored: a range of primary keys (`${source}|…`), which
 * Chromium counts faster than the `source` index (that count checks every index entry
 * against the store).
 */
export function countStoredLeads(source: SourceKind): Promise<number> {
  return db.leads.where(':id').between(...prefixRange(leadKeyPrefix(source))).count();
}

/**
 * How many of each source's stored leads are the user's own (synced or imported), and how many
 * are Demo mode's: it stores them under the CRMs' keys, yet they are not leads from either CRM.
 * Demo leads are few (Demo mode loads 2,000), so their keys are read; the others are counted.
 */
export function countStoredLeadsByOrigin(): Promise<{ own: Record<SourceKind, number>; demo: number }> {
  return db.transaction('r', db.leads, async () => {
    const [demoKeys, salesforce, hubspot, csv] = await Promise.all([demoLeadKeys(), countStoredLeads('salesforce'), countStoredLeads('hubspot'), countStoredLeads('csv')]);
    const ownOf = (source: SourceKind, stored: number) => ownAmong(source, stored, demoKeys);
    return { own: { salesforce: ownOf('salesforce', salesforce), hubspot: ownOf('hubspot', hubspot), csv: ownOf('csv', csv) }, demo: demoKeys.length };
  });
}

/**
 * How many of each of `sources`' stored leads are the user's own, as `countStoredLeadsByOrigin`
 * counts them, in the order of `sources`: Demo mode's keys are read once for them all, and not
 * at all when no lead of your own is stored (Demo mode alone: every count is 0) or none of
 * `sources` has a lead stored.
 */
export function countOwnLeadsOf(sources: readonly SourceKind[]): Promise<number[]> {
  return db.transaction('r', db.leads, async () => {
    const [stored, ownStored] = await Promise.all([Promise.all(sources.map(countStoredLeads)), ownLeadStored()]);
    if (!ownStored) return sources.map(() => 0);
    if (stored.every((count) => count === 0)) return stored;
    const demoKeys = await demoLeadKeys();
    return sources.map((source, i) => ownAmong(source, stored[i], demoKeys));
  });
}

/** `stored` leads of `source` less those of Demo mode's keys `demoKeys` that are its. */
const ownAmong = (source: SourceKind, stored: number, demoKeys: readonly string[]) => stored - demoKeys.filter((key) => key.startsWith(leadKeyPrefix(source))).length;

/** The key of every demo lead stored, of every source. */
export const demoLeadKeys = (): Promise<string[]> => db.leads.where('origin').equals('demo').primaryKeys();

/**
 * Whether any stored lead is your own (not Demo mode's: source-history.ts `demoLeadMix`'s `own` > 0),
 * from one key of the origin index: `demoLeadMix` counts every stored lead, a walk of the whole
 * store that the side panel's read of its leads waited for.
 */
export async function ownLeadStored(): Promise<boolean> {
  // Two plain ranges, one key each: `notEqual` walks a cursor over every demo lead's index entry when no other is stored.
  const firstKeys = await Promise.all([db.leads.where('origin').below('demo').limit(1).primaryKeys(), db.leads.where('origin').above('demo').limit(1).primaryKeys()]);
  return firstKeys.some((keys) => keys.length > 0);
}

/** What the trainer reads of a source's leads, as they are read (the training job's `HistoryRead`). */
export interface TrainingLeadRead {
  /** The window to read (both ends included; neither: every lead), placed over the created date (epoch ms; 0 when unknown) of every lead of the history before any lead is read. */
  window(createdDates: readonly number[]): { createdAfter: number | null; createdBefore: number | null };
  /** Each lead inside the window, in key order, as it is read: what this keeps of it is all that outlives its chunk. */
  add(lead: StoredLead): void;
}

/**
 * Reads `source`'s leads for the trainer without holding them: the created date of each lead
 * `inHistory` keeps, from its summary; then only the leads created inside the window
 * `read.window` places over those dates (both ends included; a lead with no created date, 0, is
 * in no window), found through the `createdAt` index, or every lead of the source when the window
 * has neither end. They are handed to `read.add` in key order (the order of `historyKeys`), a
 * chunk at a time.
 *
 * Each chunk is read in a short transaction of its own, not one over the whole read: a read of a
 * large history takes seconds to a minute, and a sync's commit asked meanwhile (over the leads and
 * the settings) would wait for all of it, and every badge's, list's and side panel's read behind
 * that commit. So the read is not of one moment: each lead is read as its chunk finds it (one a
 * sync stores meanwhile is read only if its key lies ahead of the read, and, for a window, only if
 * it was stored before the window's keys were listed; one deleted meanwhile is passed over), and
 * the created dates the window was placed over, and the counts made of them, are as they were
 * before any lead was read.
 */
export async function readLeadsForTraining(source: SourceKind, inHistory: (key: string) => boolean, read: TrainingLeadRead): Promise<void> {
  const range = prefixRange(leadKeyPrefix(source));
  const createdDates: number[] = [];
  await forEachChunk(
    db.leadSummaries,
    CREATED_DATE_READ_CHUNK,
    (summaries) => {
      for (const summary of summaries) if (inHistory(summary.key)) createdDates.push(summary.createdAt);
    },
    range,
  );
  const { createdAfter, createdBefore } = read.window(createdDates);
  if (createdAfter === null && createdBefore === null) {
    await forEachChunk(
      db.leads,
      TRAINING_READ_CHUNK,
      (leads) => {
        for (const lead of leads) if (inHistory(lead.key)) read.add(lead);
      },
      range,
    );
    return;
  }
  const from = createdAfter !== null && createdAfter > 0 ? createdAfter : 0;
  // The keys of every source's leads in the window (no lead read); the history's of this source
  // are then read in key order: a string sort is IndexedDB's order.
  const inWindow = await db.leads.where('createdAt').between(from, createdBefore ?? Infinity, from > 0, true).primaryKeys();
  const keys = inWindow.filter((key) => key >= range[0] && key <= range[1] && inHistory(key)).sort();
  // A lead deleted since its key was listed is not read (undefined).
  for (let start = 0; start < keys.length; start += TRAINING_READ_CHUNK) {
    for (const lead of await db.leads.bulkGet(keys.slice(start, start + TRAINING_READ_CHUNK))) if (lead !== undefined) read.add(lead);
  }
}
