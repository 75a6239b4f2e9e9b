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
import { db, scoreKeyPrefix, type StoredModel } from '../db/db';
import { bundledModel, learntFromMadeUpLeads } from './bundled-model';
import type { ModelOutcomeRule } from './outcome-rule';
import { TiersSchema, parseManifest, parseStoredTiers, type Manifest, type Tiers } from './manifest';
import { deleteInChunks, prefixRange } from '../db/chunks';
import { JOB_KEYS, forgetOwedRetier, inJobsTurn, readJob, type JobKind } from '../jobs/progress';
import { clearCachedScores } from './retier';
import { carryPolicyFigures, forgetPolicyFigures } from './policy-figures';
import { reapplyPolicy } from './tier-policy';

/**
 * The Web Lock an import holds from storing its model until the engine's verdict on it
 * (model-versions.ts `importModel`). The browser releases it when the importing page closes,
 * so an unchecked model whose lock nobody holds was left by a page closed during its check.
 */
export const importLockName = (modelId: string) => `leadlens-model-import:${modelId}`;

/** An imported model whose engine check has not passed (yet): not listed, not activatable. */
export const isUnchecked = (model: Pick<StoredModel, 'checked'>): boolean => model.checked === false;

const ACTIVE_MODEL_KEY = 'activeModelId';
/** The model active before the last change, for a one-click roll back (model-versions.ts). */
export const PREVIOUS_MODEL_KEY = 'previousActiveModelId';
const TIERS_KEY_PREFIX = 'tiers:';
const tiersKey = (modelId: string) => `${TIERS_KEY_PREFIX}${modelId}`;

export type ModelOrigin = 'bundled' | StoredModel['origin'];

export interface ModelSummary {
  id: string;
  origin: ModelOrigin;
  createdAt: string;
  rows: number;
  positives: number;
  cvRocAuc: number | undefined;
  active: boolean;
  /** Why its stored manifest cannot be read (damaged storage, a rule it predates, or `madeByNewerVersion`): it cannot score or be activated. */
  damaged?: string;
  /**
   * Set with `damaged` when its manifest fails only for fields or options this version does not
   * know (`parseManifest`): a newer LeadLens made it and scores with it, so it is to be kept (and
   * can be exported as stored, `exportAsStored`) for when LeadLens is updated, not deleted.
   */
  madeByNewerVersion?: true;
  /** Why the tier policy kept for it is passed over, when a newer LeadLens set it (`newerTierPolicy`). */
  newerTierPolicy?: string;
  /** What it learnt from (`TrainedOn`), to tell versions apart; absent when `damaged`. */
  trainedOn?: TrainedOn;
  /** The tier policy it scores with: the admin's (`setTiers`) over the one it came with (`manifestOf`); absent when `damaged`. */
  tiers?: Tiers;
  /** When an imported model was imported (epoch ms): its `createdAt` is the day whoever exported it trained it. */
  importedAt?: number;
}

/**
 * The history a model learnt from, as its manifest records it: `source` (`provenance.source`, free
 * text: "Salesforce leads" for a model trained here (an older LeadLens wrote "salesforce leads"), a file name for one the CLI trained), the
 * outcome rule of one trained here (which names its source), and whether its leads were made up
 * (`learntFromMadeUpLeads`: Demo mode's, or the default model's).
 */
export interface TrainedOn {
  source: string;
  outcomeRule?: ModelOutcomeRule;
  madeUpLeads: boolean;
}

function bundledManifest(): Manifest {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
}

export async function activeModelId(): Promise<string> {
  return (await namedModel(ACTIVE_MODEL_KEY)) ?? bundledManifest().modelId;
}

/** A model's own manifest (without the admin's tier policy), and whether it is an import still unchecked. */
async function ownManifest(modelId: string): Promise<{ manifest: Manifest; unchecked: boolean }> {
  const bundled = bundledModel.manifest();
  if (bundled.ok && bundled.manifest.modelId === modelId) return { manifest: bundled.manifest, unchecked: false };
  const stored = await db.models.get(modelId);
  if (!stored) {
    if (!bundled.ok) throw new Error(bundled.error);
    throw new Error(`Model ${modelId} is not installed`);
  }
  // Stored data is a trust boundary too: a damaged manifest is an error, not a crash.
  const reparsed = parseManifest(stored.manifest);
  if (reparsed.ok) return { manifest: reparsed.manifest, unchecked: isUnchecked(stored) };
  // As the active model, what every badge and page says instead of a score (a downgrade of LeadLens leaves it so).
  if (reparsed.madeByNewerVersion) {
    throw new Error(
      `Model ${modelId} was made by a newer version of LeadLens, so this version cannot score with it: update LeadLens to use it. ` +
        "Until then, another model can be activated under Model versions in LeadLens's options.",
    );
  }
  throw new Error(reparsed.error);
}

/** The tier policy kept for a model as stored (`value`) and as this version reads it (`read`), or undefined when none is. */
async function tiersSettingOf(modelId: string): Promise<{ value: unknown; read: ReturnType<typeof parseStoredTiers> } | undefined> {
  const value = (await db.settings.get(tiersKey(modelId)))?.value;
  return value === undefined ? undefined : { value, read: parseStoredTiers(value) };
}

/**
 * The tier policy an admin set for a model (`setTiers`), if one that parses is kept. One that does
 * not is passed over: the model scores with the thresholds it came with. One a newer LeadLens set
 * (after going back a version) stays stored as set, for that LeadLens (`exportAsStored` keeps it),
 * until a policy applied here replaces it; Model versions and Tier policy say so (`newerTierPolicy`).
 */
async function tiersSetFor(modelId: string): Promise<Tiers | undefined> {
  const read = (await tiersSettingOf(modelId))?.read;
  return read?.ok ? read.tiers : undefined;
}

/**
 * Why the tier policy kept for a model is passed over (`tiersSetFor`) when a newer LeadLens set it
 * (`parseStoredTiers`), or undefined: it would otherwise score with other thresholds than the admin
 * chose there, and no page say so.
 */
export async function newerTierPolicy(modelId: string): Promise<string | undefined> {
  const read = (await tiersSettingOf(modelId))?.read;
  return read?.ok === false && read.madeByNewerVersion ? read.error : undefined;
}

/**
 * A model's manifest with the admin's tier policy applied; throws a readable error if it is
 * unusable. Answers for an import still being checked too: the engine's check reads it.
 */
/** A model's own manifest, as it was trained or imported: its tiers its own, not the admin's policy (`manifestOf`). */
export async function ownManifestOf(modelId: string): Promise<Manifest> {
  return (await ownManifest(modelId)).manifest;
}

/** The stored scores of `modelId`, on the [modelId+tier] index. */
export const storedScoresOf = (modelId: string) => db.leadScores.where('[modelId+tier]').between([modelId, Dexie.minKey], [modelId, Dexie.maxKey]);

export async function manifestOf(modelId: string): Promise<Manifest> {
  const { manifest } = await ownManifest(modelId);
  const tiers = await tiersSetFor(modelId);
  return tiers ? { ...manifest, tiers } : manifest;
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

/**
 * The files of a model as it is kept, its manifest unread, with the tier policy an admin set for it
 * as it was set: the export of one made by a newer LeadLens (`madeByNewerVersion`), or given its
 * policy by one (`newerTierPolicy`), which this version cannot read, for that LeadLens to import
 * (`exportFiles` exports what this version scores with). The bundled model's policy may be such a one.
 */
export async function exportAsStored(modelId: string): Promise<{ manifestJson: string; onnx: Uint8Array }> {
  const bundled = bundledModel.manifest();
  const isBundled = bundled.ok && bundled.manifest.modelId === modelId;
  // Read once: its row holds the ONNX bytes too.
  const stored = isBundled ? undefined : await db.models.get(modelId);
  const kept = bundled.ok && isBundled ? bundled.manifest : stored?.manifest;
  if (!kept) throw new Error(`Model ${modelId} is not installed`);
  const setting = await tiersSettingOf(modelId);
  const tiers = setting && (setting.read.ok || setting.read.madeByNewerVersion) ? setting.value : undefined;
  return { manifestJson: JSON.stringify(tiers ? { ...kept, tiers } : kept, null, 2), onnx: stored?.onnx ?? (await modelBytes(modelId)) };
}

/**
 * A model `listModels` lists, with the manifest its summary was read from: its own, without the
 * admin's tier policy (`summary.tiers` has the one it scores with); null when it is `damaged`.
 */
export interface ListedModel {
  summary: ModelSummary;
  manifest: Manifest | null;
}

/**
 * Every model that may be activated, with its manifest, for what else is said of it without
 * reading it again: imports still unchecked are left out (and those left by a page closed during
 * their check are removed), and so is a stored copy of the bundled model that start-up has not
 * dropped yet (`adoptRebuiltBundledModel`): it would be listed twice.
 */
export async function listModels(): Promise<ListedModel[]> {
  const active = await activeModelId();
  const summary = (manifest: Manifest, origin: ModelOrigin): ModelSummary => ({
    id: manifest.modelId,
    origin,
    createdAt: manifest.createdAt,
    rows: manifest.provenance.rows,
    positives: manifest.provenance.positives,
    cvRocAuc: manifest.metrics.cvRocAuc,
    active: manifest.modelId === active,
    trainedOn: { source: manifest.provenance.source, ...(manifest.outcomeRule && { outcomeRule: manifest.outcomeRule }), madeUpLeads: learntFromMadeUpLeads(manifest) },
    tiers: manifest.tiers,
  });
  const stored = await db.models.orderBy('addedAt').reverse().toArray();
  // Clean-up only: a failure to remove them must not keep the list from showing.
  if (stored.some(isUnchecked)) await removeAbandonedImports(stored).catch(() => undefined);
  const bundled = bundledModel.manifest();
  // The policy it scores with, as `manifestOf` reads it, and why one kept for it is passed over.
  const withPolicyRead = async (listed: ModelSummary): Promise<ModelSummary> => {
    // One read of its setting, as `tiersSetFor` and `newerTierPolicy` each read it.
    const read = (await tiersSettingOf(listed.id))?.read;
    if (read === undefined) return listed;
    if (read.ok) return { ...listed, tiers: read.tiers };
    return read.madeByNewerVersion ? { ...listed, newerTierPolicy: read.error } : listed;
  };
  // Stored data is a trust boundary: a manifest that no longer parses is listed as damaged, so it can be deleted,
  // unless a newer LeadLens made it: after a downgrade, it is kept for when LeadLens is updated again.
  const storedListing = async (model: StoredModel): Promise<ListedModel> => {
    const parsed = parseManifest(model.manifest);
    if (parsed.ok) {
      const listed = { ...summary(parsed.manifest, model.origin), ...(model.origin === 'imported' && { importedAt: model.addedAt }) };
      return { summary: await withPolicyRead(listed), manifest: parsed.manifest };
    }
    const unread = { id: model.id, origin: model.origin, createdAt: '', rows: 0, positives: 0, cvRocAuc: undefined, active: model.id === active, damaged: parsed.error };
    return { summary: parsed.madeByNewerVersion ? { ...unread, madeByNewerVersion: true } : unread, manifest: null };
  };
  const bundledListing = async (manifest: Manifest): Promise<ListedModel> => ({ summary: await withPolicyRead(summary(manifest, 'bundled')), manifest });
  const isBundled = (model: StoredModel) => bundled.ok && model.id === bundled.manifest.modelId;
  return Promise.all([
    ...stored.filter((model) => !isUnchecked(model) && !isBundled(model)).map(storedListing),
    ...(bundled.ok ? [bundledListing(bundled.manifest)] : []),
  ]);
}

/**
 * Removes the imports left unchecked by a page closed during their check: those whose import
 * lock (`importLockName`) nobody holds. A row is removed only if it is still the one seen
 * unchecked (same `addedAt`), not a new import of the same id started meanwhile.
 */
export async function removeAbandonedImports(models?: readonly StoredModel[]): Promise<void> {
  const unchecked = (models ?? (await db.models.toArray())).filter(isUnchecked).map(({ id, addedAt }) => ({ id, addedAt }));
  if (unchecked.length === 0) return;
  const { held = [], pending = [] } = await navigator.locks.query();
  const locked = new Set([...held, ...pending].map((lock) => lock.name));
  for (const { id, addedAt } of unchecked) {
    if (locked.has(importLockName(id))) continue; // being checked now
    await db.transaction('rw', db.models, async () => {
      const row = await db.models.get(id);
      if (row && isUnchecked(row) && row.addedAt === addedAt) await db.models.delete(id);
    });
  }
}

/**
 * Makes `modelId` the active model, in one transaction with the checks that it is installed
 * (a deleteModel cannot slip in between), that its manifest is usable and that it is not an
 * import still unchecked; else throws, leaving the active one as it was. Called within a
 * caller's transaction over `models` and `settings`, it is part of that one.
 */
export async function setActiveModel(modelId: string): Promise<void> {
  await db.transaction('rw', [db.models, db.settings], async () => {
    const { unchecked } = await ownManifest(modelId);
    if (unchecked) throw new Error(`Model ${modelId} has not passed its check yet, so it cannot be activated`);
    await db.settings.put({ key: ACTIVE_MODEL_KEY, value: modelId });
  });
}

/**
 * Delete a stored model with everything kept for it (policy and the figures it was applied with, held-out
 * probabilities, stored leads' scores and a re-tiering owed of them, the leads it could not score, record pages'
 * cached scores, the roll back to it); the active one and the bundled one cannot be deleted.
 */
export async function deleteModel(modelId: string): Promise<void> {
  // The checks and the deletes in one transaction: no activation of this model (setActiveModel's
  // transaction spans `models` and `settings` too) runs between them, and no job of it starts
  // (its progress row is in `settings`). A running job would write scores of it after the delete.
  await db.transaction('rw', [db.models, db.settings, db.leadScores, db.scores, db.heldOutScores, db.unscorableLeads], async () => {
    if (modelId === (await activeModelId())) throw new Error('The active model cannot be deleted: activate another one first');
    // Even with a stored copy of it (start-up drops one): what is kept under its id is the bundled model's.
    const bundled = bundledModel.manifest();
    if (bundled.ok && bundled.manifest.modelId === modelId) throw new Error(`Model ${modelId} is the bundled model, which cannot be deleted`);
    const jobs = await Promise.all((Object.keys(JOB_KEYS) as JobKind[]).map(readJob));
    if (jobs.some((job) => job?.state === 'running' && job.modelId === modelId)) {
      throw new Error(`Model ${modelId} is being scored or re-tiered now: delete it once that has finished`);
    }
    if ((await db.models.where(':id').equals(modelId).count()) === 0) {
      throw new Error(`Model ${modelId} cannot be deleted: it is not installed`);
    }
    await db.models.delete(modelId);
    await db.heldOutScores.delete(modelId);
    await db.settings.delete(tiersKey(modelId));
    await forgetOwedRetier(modelId);
    if ((await db.settings.get(PREVIOUS_MODEL_KEY))?.value === modelId) await db.settings.delete(PREVIOUS_MODEL_KEY);
    await storedScoresOf(modelId).delete();
    await db.unscorableLeads.where('[modelId+key]').between([modelId, Dexie.minKey], [modelId, Dexie.maxKey]).delete();
    await forgetPolicyFigures(modelId);
    await clearCachedScores(modelId);
  });
}

/** Scores deleted per transaction when a retired model's are dropped (`dropScoresOfRetiredModels`). */
const RETIRED_SCORES_CHUNK = 2000;

/**
 * The models whose stored scores are to be kept: the active one, the roll back, and any a job's
 * row says is scored or re-tiered (one left by a closed browser is resumed at the next start).
 */
async function modelsWithScoresInUse(): Promise<Set<string>> {
  const jobs = await Promise.all((Object.keys(JOB_KEYS) as JobKind[]).map(readJob));
  const running = jobs.flatMap((job) => (job?.state === 'running' ? [job.modelId] : []));
  const rollBack = await namedModel(PREVIOUS_MODEL_KEY);
  return new Set([await activeModelId(), ...(rollBack === null ? [] : [rollBack]), ...running]);
}

/**
 * Drops the stored scores of models neither active nor the roll back: no page reads them, and an
 * activation (a roll back too) scores every lead again, pages waiting for it, so none are wanted
 * again either. Kept, a dozen activations on 50,000 leads would keep 600,000. The model itself,
 * its tier policy and held-out probabilities stay. Run in the jobs' turn (`inJobsTurn`): no
 * scoring or re-tiering writes scores meanwhile; a model a job's row says runs keeps its scores
 * (`modelsWithScoresInUse`), as deleteModel refuses to delete it. A chunk at a time, each in a
 * transaction that first checks its model was not made active or the roll back since. Resolves
 * with how many scores it dropped.
 */
export async function dropScoresOfRetiredModels(): Promise<number> {
  const retired = () =>
    db.transaction('r', [db.settings, db.leadScores], async () => {
      const inUse = await modelsWithScoresInUse();
      return (await scoredModelIds()).filter((id) => !inUse.has(id));
    });
  // Nearly always nothing: looked for before waiting for the jobs' turn.
  if ((await retired()).length === 0) return 0;
  return inJobsTurn(async () => {
    let dropped = 0;
    for (const modelId of await retired()) {
      dropped += await deleteInChunks(db.leadScores, RETIRED_SCORES_CHUNK, prefixRange(scoreKeyPrefix(modelId)), {
        alsoReads: [db.settings],
        goOn: async () => !(await modelsWithScoresInUse()).has(modelId),
      });
    }
    return dropped;
  });
}

/** The model a setting names (active, roll back), or null. */
async function namedModel(key: string): Promise<string | null> {
  const value = (await db.settings.get(key))?.value;
  return typeof value === 'string' ? value : null;
}

/** The first of `modelIds` with a tier policy that parses (stored data: one that does not applied to no model either), or null. */
async function firstPolicy(modelIds: readonly string[]): Promise<Tiers | null> {
  for (const id of modelIds) {
    const policy = TiersSchema.safeParse((await db.settings.get(tiersKey(id)))?.value);
    if (policy.success) return policy.data;
  }
  return null;
}

/**
 * The models with stored scores, one read of a single score per model: each read skips past the
 * scores of the model before on the [modelId+tier] index. Its distinct keys would cost a walk over
 * every score (in Chromium ~5 µs each: 3 s at a dozen models' scores of 50,000 leads).
 */
async function scoredModelIds(): Promise<string[]> {
  const ids: string[] = [];
  for (let next = await db.leadScores.orderBy('[modelId+tier]').first(); next !== undefined; ) {
    ids.push(next.modelId);
    next = await db.leadScores.where('[modelId+tier]').above([next.modelId, Dexie.maxKey]).first();
  }
  return ids;
}

/** Models something is kept for (scores, held-out probabilities, settings) that are neither bundled now (`bundledId`) nor stored. */
async function modelsGone(bundledId: string): Promise<string[]> {
  const scored = await scoredModelIds();
  // A policy counts too: one set before any lead was scored is still the admin's choice for that model.
  const withPolicy = (await db.settings.where('key').startsWith(TIERS_KEY_PREFIX).primaryKeys()).map((key) => key.slice(TIERS_KEY_PREFIX.length));
  const candidates = new Set([...scored, ...withPolicy, ...(await db.heldOutScores.toCollection().primaryKeys())]);
  for (const key of [ACTIVE_MODEL_KEY, PREVIOUS_MODEL_KEY]) {
    const id = await namedModel(key);
    if (id !== null) candidates.add(id);
  }
  // Keys only: a stored model's row holds its ONNX bytes (up to 20 MB).
  const stored = new Set(await db.models.toCollection().primaryKeys());
  return [...candidates].filter((id) => id !== bundledId && !stored.has(id));
}

/** Whether a model is stored under the bundled model's id. Keys only: a row holds its ONNX bytes (up to 20 MB). */
async function storedUnderBundledId(bundledId: string): Promise<boolean> {
  return (await db.models.where(':id').equals(bundledId).count()) > 0;
}

/**
 * Drops the stored row of a model whose id is the bundled one's (its export imported before an
 * update shipped it as the bundled model). What is kept under that id (policy, scores, held-out
 * probabilities, the active and roll back settings) is the bundled model's now, and so is the
 * policy the copy scored with: its file's, unless an admin set another. Resolves with whether
 * the bundled model now has a policy of its own, which no policy carried from an old one replaces.
 */
async function dropStoredCopyOfBundled(bundledId: string): Promise<boolean> {
  const copy = await db.models.get(bundledId);
  if (!copy) return false;
  await db.models.delete(bundledId);
  if (TiersSchema.safeParse((await db.settings.get(tiersKey(bundledId)))?.value).success) return true;
  // An import still unchecked was no installed model, and a manifest that no longer parses brings no policy.
  const parsed = parseManifest(copy.manifest);
  if (isUnchecked(copy) || !parsed.ok) return false;
  await setTiers(bundledId, parsed.manifest.tiers);
  return true;
}

/**
 * An extension update can ship a rebuilt bundled model, with a new id (a hash of its contents):
 * what was kept for the old one would name a model no longer installed, so the active model
 * would score nothing, and its stored scores would be left for no model. Models neither bundled
 * now nor stored are such old bundled ones: the settings naming one (active, roll back) name the
 * bundled model instead, which takes over the tier policy of the one it stands in for (applied
 * again on its own reference leads, `reapplyPolicy`), and their stored scores (with a re-tiering
 * owed of them), held-out probabilities and cached scores go. No active model set means the bundled one scored, so an
 * old bundled one was active. A model stored under the new bundled id (its export, imported
 * before the update) is dropped as a copy (`dropStoredCopyOfBundled`), so deleting it cannot delete
 * what is kept for the bundled model. Run at start-up; resolves with whether the active model
 * changed (its stored leads need scoring with the new one).
 */
export async function adoptRebuiltBundledModel(): Promise<boolean> {
  const bundledId = bundledManifest().modelId;
  const tables = [db.models, db.settings, db.leadScores, db.scores, db.heldOutScores];
  // This runs at every start, nearly always finding nothing: looked for without write locks first.
  const anythingToAdopt = async () => (await storedUnderBundledId(bundledId)) || (await modelsGone(bundledId)).length > 0;
  if (!(await db.transaction('r', tables, anythingToAdopt))) return false;
  return db.transaction('rw', tables, async () => {
    const hasOwnPolicy = await dropStoredCopyOfBundled(bundledId);
    const gone = await modelsGone(bundledId);
    if (gone.length === 0) return false;
    const active = await namedModel(ACTIVE_MODEL_KEY);
    // Activating the model already active writes nothing, so a bundled model chosen (or never left) is not named.
    const activeGone = active === null || gone.includes(active);
    if (activeGone) await db.settings.put({ key: ACTIVE_MODEL_KEY, value: bundledId });
    const bundledActive = activeGone || active === bundledId;
    const previous = await namedModel(PREVIOUS_MODEL_KEY);
    const rollBackGone = previous !== null && gone.includes(previous) ? previous : null;
    // A roll back to the old bundled model is one to the new; none when that is the active model.
    if (rollBackGone !== null) {
      if (bundledActive) await db.settings.delete(PREVIOUS_MODEL_KEY);
      else await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: bundledId });
    }
    // The policy of the old model the new one stands in for: the active one (with none named, the old bundled one's), else the roll back.
    const replaced = activeGone ? (active === null ? gone : [active]) : rollBackGone !== null && !bundledActive ? [rollBackGone] : [];
    const carried = hasOwnPolicy ? null : await firstPolicy(replaced);
    // Capacity thresholds chosen on the old model's scores would make another share of leads hot on the new one.
    if (carried) {
      await setTiers(bundledId, reapplyPolicy(carried, bundledManifest()));
      await carryPolicyFigures(replaced, bundledId);
    }
    for (const id of gone) {
      await db.settings.delete(tiersKey(id));
      await forgetOwedRetier(id);
      await forgetPolicyFigures(id);
      await db.heldOutScores.delete(id);
      await storedScoresOf(id).delete();
      await clearCachedScores(id);
    }
    return activeGone;
  });
}

export async function setTiers(modelId: string, tiers: Tiers): Promise<void> {
  await db.settings.put({ key: tiersKey(modelId), value: TiersSchema.parse(tiers) });
}
