/**
 * One lead's score, as the background computes it: featurize the fields with the active
 * model's manifest, run the engine, turn the probability into score, tier and reasons,
 * and cache the result by record, model and fields.
 *
 * Dependencies come in as arguments so the whole path runs in unit tests with
 * onnxruntime-node, and in the extension with the offscreen engine and Dexie.
 */
import { explainLead } from '../ml/explain';
import { featurizeRecord } from '../ml/featurize';
import type { Manifest } from '../ml/manifest';
import { scoreAndTier } from '../ml/score';
import type { ScoredLead } from '../messaging/protocol';
import type { CrmKind, PageFields } from '../crm/types';
import { hashFields } from '../crm/fields-hash';

export interface EngineRows {
  /** [N] */
  probability: ArrayLike<number>;
  /** [N][T] */
  contributions: ArrayLike<number>[];
}

export interface ScoreCache {
  get(key: string): Promise<{ fieldsHash: string; lead: ScoredLead } | undefined>;
  put(key: string, fieldsHash: string, lead: ScoredLead): Promise<void>;
}

export interface ScoringDeps {
  /** The active model's manifest; throws a message a person can read when there is none. */
  activeManifest(): Promise<Manifest>;
  /** Run model `modelId` on `rows` ([N * F], NaN = missing). */
  runModel(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineRows>;
  cache: ScoreCache;
  now(): Date;
}

export interface LeadToScore {
  crm: CrmKind;
  recordId: string;
  fields: PageFields;
}

export type ScoreOutcome = { ok: true; lead: ScoredLead } | { ok: false; error: string };

export const NO_READABLE_FIELDS =
  "LeadLens could not read any of this lead's fields on the page. Open the lead's details, or check that the page shows its fields.";

export async function scoreLead(request: LeadToScore, deps: ScoringDeps): Promise<ScoreOutcome> {
  const manifest = await deps.activeManifest();
  const key = `${manifest.modelId}|${request.crm}|${request.recordId}`;
  const fieldsHash = hashFields(request.fields);
  const cached = await deps.cache.get(key);
  if (cached?.fieldsHash === fieldsHash) return { ok: true, lead: cached.lead };

  const now = deps.now();
  const row = featurizeRecord(request.fields, manifest.features, request.crm, now); // [F]
  const featuresKnown = row.reduce((known, value) => known + (Number.isNaN(value) ? 0 : 1), 0);
  if (featuresKnown === 0) return { ok: false, error: NO_READABLE_FIELDS };

  const output = await deps.runModel(manifest.modelId, row, manifest.features.length);
  const probability = output.probability[0];
  const lead: ScoredLead = {
    probability,
    ...scoreAndTier(probability, manifest),
    baseRate: manifest.reference.baseRate,
    reasons: explainLead(manifest, output.contributions[0], request.fields, request.crm, now),
    featuresKnown,
    featuresTotal: manifest.features.length,
    modelId: manifest.modelId,
    modelCreatedAt: manifest.createdAt,
  };
  await deps.cache.put(key, fieldsHash, lead);
  return { ok: true, lead };
}
