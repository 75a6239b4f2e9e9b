/**
 * The extension's IndexedDB, through Dexie. Versions are dated and append-only: add a new
 * `version(n)` with its upgrade below the last one, never edit an old one.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { ScoredLead } from '../messaging/protocol';

/** A scored lead, cached until its fields or the model change. */
export interface CachedScore {
  /** `${modelId}|${crm}|${recordId}` */
  key: string;
  /** Hash of the fields the score was computed from. */
  fieldsHash: string;
  lead: ScoredLead;
  scoredAt: number;
}

export class LeadLensDb extends Dexie {
  scores!: EntityTable<CachedScore, 'key'>;

  constructor(name = 'leadlens') {
    super(name);
    // 2026-11-22: score cache.
    this.version(1).stores({ scores: 'key, scoredAt' });
  }
}

export const db = new LeadLensDb();
