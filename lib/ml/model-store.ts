/**
 * Which model scores, and where its files come from: the bundled default (in the extension
 * package) or a model trained here or imported (in Dexie). Every context reads the same
 * store; nothing is kept in module variables, so a restarted service worker sees the same
 * active model.
 *
 * The tier policy an admin picks is kept apart from the model (`tiers:{modelId}`), so the
 * bundled model can have one too and rolling back a model brings its own policy back.
 */
import Dexie from 'dexie';
import { db, type StoredModel } from '../db/db';
import { bundledModel } from './bundled-model';
import { TiersSchema, parseManifest, type Manifest, type Tiers } from './manifest';
import { clearCachedScores } from './retier';

const ACTIVE_MODEL_KEY = 'activeModelId';
/** The model active before the last change, for a one-click roll back (model-versions.ts). */
export const PREVIOUS_MODEL_KEY = 'previousActiveModelId';
const tiersKey = (modelId: string) => `tiers:${modelId}`;

export type ModelOrigin = 'bundled' | StoredModel['origin'];

export interface ModelSummary {
  id: string;
  origin: ModelOrigin;
  createdAt: string;
  rows: number;
  positives: number;
  cvRocAuc: number | undefined;
  active: boolean;
}

function bundledManifest(): Manifest {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

export async function activeModelId(): Promise<string> {
  const setting = await db.settings.get(ACTIVE_MODEL_KEY);
  return typeof setting?.value === 'string' ? setting.value : bundledManifest().modelId;
}

/** A model's manifest with the admin's tier policy applied; throws a readable error if it is unusable. */
export async function manifestOf(modelId: string): Promise<Manifest> {
  const bundled = bundledModel.manifest();
  let manifest: Manifest;
  if (bundled.ok && bundled.manifest.modelId === modelId) manifest = bundled.manifest;
  else {
    const stored = await db.models.get(modelId);
    if (!stored) {
      if (!bundled.ok) throw new Error(bundled.error);
      throw new Error(`Model ${modelId} is not installed`);
    }
    // Stored data is a trust boundary too: a damaged manifest is an error, not a crash.
    const reparsed = parseManifest(stored.manifest);
    if (!reparsed.ok) throw new Error(reparsed.error);
    manifest = reparsed.manifest;
  }
  const override = TiersSchema.safeParse((await db.settings.get(tiersKey(modelId)))?.value);
  return override.success ? { ...manifest, tiers: override.data } : manifest;
}

export async function activeManifest(): Promise<Manifest> {
  return manifestOf(await activeModelId());
}

/** The ONNX bytes of a model. `fetchBundled` reads a file of the extension package. */
export async function modelBytes(
  modelId: string,
  fetchBundled: (url: string) => Promise<Response> = (url) => fetch(url),
): Promise<Uint8Array> {
  const bundled = bundledModel.manifest();
  if (bundled.ok && bundled.manifest.modelId === modelId) {
    const response = await fetchBundled(bundledModel.url);
    if (!response.ok) throw new Error(`The bundled model file is missing (${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  }
  const stored = await db.models.get(modelId);
  if (!stored) throw new Error(`Model ${modelId} is not installed`);
  return stored.onnx;
}

export async function listModels(): Promise<ModelSummary[]> {
  const active = await activeModelId();
  const summary = (manifest: Manifest, origin: ModelOrigin): ModelSummary => ({
    id: manifest.modelId,
    origin,
    createdAt: manifest.createdAt,
    rows: manifest.provenance.rows,
    positives: manifest.provenance.positives,
    cvRocAuc: manifest.metrics.cvRocAuc,
    active: manifest.modelId === active,
  });
  const stored = await db.models.orderBy('addedAt').reverse().toArray();
  const bundled = bundledModel.manifest();
  return [
    ...stored.map((model) => summary(model.manifest, model.origin)),
    ...(bundled.ok ? [summary(bundled.manifest, 'bundled')] : []),
  ];
}

/** Keep a model (not yet active: activate it once it has been checked). */
export async function saveModel(manifest: Manifest, onnx: Uint8Array, origin: StoredModel['origin']): Promise<void> {
  await db.models.put({ id: manifest.modelId, origin, manifest, onnx, addedAt: Date.now() });
}

export async function setActiveModel(modelId: string): Promise<void> {
  await manifestOf(modelId); // refuses an unknown model, leaving the active one as it was
  await db.settings.put({ key: ACTIVE_MODEL_KEY, value: modelId });
}

/**
 * Delete a stored model with everything kept for it (policy, stored leads' scores, record
 * pages' cached scores, the roll back to it); the active one and the bundled one cannot be deleted.
 */
export async function deleteModel(modelId: string): Promise<void> {
  if (modelId === (await activeModelId())) throw new Error('The active model cannot be deleted: activate another one first');
  if (!(await db.models.get(modelId))) throw new Error(`Model ${modelId} cannot be deleted (it is bundled or not installed)`);
  await db.transaction('rw', [db.models, db.settings, db.leadScores, db.scores], async () => {
    await db.models.delete(modelId);
    await db.settings.delete(tiersKey(modelId));
    if ((await db.settings.get(PREVIOUS_MODEL_KEY))?.value === modelId) await db.settings.delete(PREVIOUS_MODEL_KEY);
    await db.leadScores.where('[modelId+tier]').between([modelId, Dexie.minKey], [modelId, Dexie.maxKey]).delete();
    await clearCachedScores(modelId);
  });
}

export async function setTiers(modelId: string, tiers: Tiers): Promise<void> {
  await db.settings.put({ key: tiersKey(modelId), value: TiersSchema.parse(tiers) });
}
