/**
 * What the options page does with model versions, on top of the model store: activate
 * (remembering the previous model, for a one-click roll back; a model trained here takes the tier
 * policy in force), import (schema-checked, then checked by the engine before anyone can activate
 * it; an installed model's export brings its tier policy) and export; which CRM's leads a
 * model can score, and whether it reads fields LeadLens writes scores to.
 */
import { CRM_KINDS, CRM_LABEL, type CrmKind } from '../crm/types';
import { db, keptHeldOutScores, type HeldOutScores, type StoredModel } from '../db/db';
import { writtenBackFields } from '../db/written-back-fields';
import { oweRetier } from '../jobs/progress';
import { listInWords } from '../list-in-words';
import { formatThreshold, percentText } from '../presentation';
import { bundledModel } from './bundled-model';
import { assertCheckable } from './check-model';
import { DERIVED_READING_VERSION } from './derive';
import { featuresTracked } from './explain';
import { MODEL_ID_PATTERN, MODEL_ID_RULE, featuresReadingField, parseManifest, type Manifest, type Tiers } from './manifest';
import { datedByItsData, type ModelOutcomeRule } from './outcome-rule';
import {
  PREVIOUS_MODEL_KEY,
  activeManifest,
  activeModelId,
  importLockName,
  isUnchecked,
  listModels,
  manifestOf,
  modelBytes,
  ownManifestOf,
  removeAbandonedImports,
  setActiveModel,
  setTiers,
  type ModelSummary,
} from './model-store';
import { operatorRefusal } from './onnx/operators';
import { carryPolicyFigures, forgetPolicyFigures } from './policy-figures';
import { clearCachedScores } from './retier';
import { SAME_PROBABILITY_TOLERANCE } from './score';
import { applyPolicyOn, capacityOverInflow, countedProbabilities, fixedSortsNoLead, reapplyPolicy, sameTierPolicy, valueSortsNoLead } from './tier-policy';
import { confusionAt } from './train/metrics';
import { tierThresholds } from './train/thresholds';

export async function previousModelId(): Promise<string | null> {
  const value = (await db.settings.get(PREVIOUS_MODEL_KEY))?.value;
  return typeof value === 'string' ? value : null;
}

/**
 * Activate `modelId`, remembering the model it replaces. One transaction: the model's checks
 * (installed, usable, not an unchecked import), the switch and the roll back to the one it
 * replaces land together, and a deleteModel runs wholly before or after it.
 */
export async function activateModel(modelId: string): Promise<void> {
  await db.transaction('rw', [db.models, db.settings], async () => {
    const current = await activeModelId();
    if (current === modelId) return;
    await setActiveModel(modelId);
    await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: current });
  });
}

/** Reactivate the model active before the last change (which becomes the one to roll back to). */
export async function rollBack(): Promise<string> {
  return db.transaction('rw', [db.models, db.settings], async () => {
    const previous = await previousModelId();
    if (!previous) throw new Error('There is no earlier model to roll back to');
    await activateModel(previous);
    return previous;
  });
}

/** The engine's verdict on a stored model: `{ ok: true }` or a readable error. */
export type ModelCheck = (modelId: string) => Promise<{ ok: true } | { ok: false; error: string }>;

const MB = 1024 * 1024;
/**
 * The largest manifest.json an import reads. The bundled one is 0.3 MB (as export writes it,
 * indented: ~70 bytes per shape bin, 4,355 bins); at the most bins the engine check accepts
 * (`MAX_CHECK_CELLS`, 100,000) a manifest is ~6 MB. Anything larger is not a model's manifest,
 * and reading it whole into the page (and parsing it) is what this limit avoids.
 */
export const MAX_MANIFEST_BYTES = 10 * MB;
/**
 * The largest model.onnx an import reads, keeps in IndexedDB and loads in the engine. The
 * bundled one is 0.17 MB (~32 bytes per shape bin); at the check's 100,000 bins a LeadLens model
 * is ~3 MB. 20 MB leaves room for other trainers' less compact graphs.
 */
export const MAX_ONNX_BYTES = 20 * MB;

const megabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** Why files of these sizes cannot be imported, or null: checked before they are read. */
export function importSizeError(manifestBytes: number, onnxBytes: number): string | null {
  if (manifestBytes > MAX_MANIFEST_BYTES) {
    return `manifest.json is too large (${megabytes(manifestBytes)}; a model's manifest is at most ${megabytes(MAX_MANIFEST_BYTES)}): choose the manifest.json of the model`;
  }
  if (onnxBytes > MAX_ONNX_BYTES) {
    return `model.onnx is too large (${megabytes(onnxBytes)}; at most ${megabytes(MAX_ONNX_BYTES)} can be imported)`;
  }
  return null;
}

/**
 * Stores `manifest`'s model as an import not checked yet, unless its id is installed (bundled,
 * or stored and not an unchecked leftover); returns the row's `addedAt`, which tells this
 * import's row from any later one. The caller holds the id's import lock, so an unchecked row
 * of this id was left by a page closed during its check: it is replaced.
 */
async function storeUnchecked(manifest: Manifest, onnx: Uint8Array, origin: StoredModel['origin']): Promise<number> {
  const { modelId } = manifest;
  return db.transaction('rw', db.models, async () => {
    const bundled = bundledModel.manifest();
    // The table itself, not manifestOf: a stored model whose manifest no longer parses is installed too.
    const stored = await db.models.get(modelId);
    if ((bundled.ok && bundled.manifest.modelId === modelId) || (stored && !isUnchecked(stored))) {
      throw new Error(`Model ${modelId} is already installed`);
    }
    const addedAt = Math.max(Date.now(), (stored?.addedAt ?? 0) + 1);
    await db.models.put({ id: modelId, origin, manifest, onnx, addedAt, checked: false });
    return addedAt;
  });
}

/** This import's row (`addedAt`) if it is still there: an abandoned-import clean-up may have removed it. */
async function ownImport(modelId: string, addedAt: number) {
  const row = await db.models.get(modelId);
  return row && isUnchecked(row) && row.addedAt === addedAt ? row : undefined;
}

/** Whether `bytes` start (after white space) with "{", as a manifest does and a model.onnx (binary protobuf) does not. */
const startsLikeJson = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 1024)).trimStart().startsWith('{');

/** What an import did, apart from the file's thresholds (`ImportResult`). */
type ImportOutcome =
  /** `writtenBackFieldsNote`: the new model reads fields LeadLens writes scores to, and what that does (`writtenBackFieldsNote`); null when it reads none. */
  | { installed: 'added'; manifest: Manifest; writtenBackFieldsNote: string | null }
  /**
   * The model was installed already and the files are that model, as exported (an admin
   * exports it again after changing its tier policy): the file's tier policy is now the one in
   * force (`tierPolicyChanged`: it was another, which the admin was asked about first:
   * `tierPolicyDiffers`). Its stored scores are then still to be re-tiered by it, as the Tier
   * policy section does (the `retierStoredScores` message). `readingRecorded`: the files, made by
   * a later trainer, record a newer reading of its fields, which its stored copy now records too
   * (`recordNewerReading`).
   */
  | { installed: 'tierPolicyApplied'; manifest: Manifest; tierPolicyChanged: boolean; readingRecorded: boolean }
  /**
   * The model was installed already and the files are that model, with another tier policy than
   * the one in force (`manifest.tiers`): an older export brought back would silently undo a policy
   * applied since. Nothing was changed. The same files imported again with `replaces` naming the
   * policy in force (the admin, asked, chose to replace it) give it the file's, `fileTiers` (with
   * the thresholds the import chose: `withOwnTiers`).
   */
  | { installed: 'tierPolicyDiffers'; manifest: Manifest; fileTiers: Tiers };

/**
 * What an import did. `thresholdsChosenAgain`: why the capacity thresholds in the file were not
 * kept and which were chosen instead, in words for the admin (`withOwnTiers`); null when they were kept.
 */
export type ImportResult = ImportOutcome & { thresholdsChosenAgain: string | null };

/**
 * What the admin, asked, chose for the files of a model installed already: `replaces`, the tier
 * policy in force they were asked to replace with the file's (`tierPolicyDiffers`). Replaced only
 * while it is still the one in force: another tab's Apply since would be replaced unasked.
 */
export interface ImportChoice {
  replaces?: Tiers;
}

/**
 * Import `manifest.json` text and `model.onnx` bytes as a new, inactive model. The files'
 * sizes and the manifest's schema are checked first, and its tier policy (`withOwnTiers`); then it is added as `addCheckedModel`
 * adds one. The active model is never touched. Files of a model installed already are not
 * added again: they bring it their tier policy (`applyToInstalled`), once the admin chose to
 * replace the one in force (`choice`).
 */
export async function importModel(manifestText: string, onnx: Uint8Array, check: ModelCheck, choice: ImportChoice = {}): Promise<ImportResult> {
  // A text's length in characters is at most its size in UTF-8 bytes.
  const tooLarge = importSizeError(manifestText.length, onnx.length);
  if (tooLarge) throw new Error(tooLarge);
  let json: unknown;
  try {
    json = JSON.parse(manifestText);
  } catch {
    throw new Error(
      startsLikeJson(onnx)
        ? 'The file chosen as manifest.json is not valid JSON, and the one chosen as model.onnx looks like JSON: the two files seem swapped. Choose each in its own field.'
        : 'The file chosen as manifest.json is not valid JSON: choose the manifest.json that came with the model.',
    );
  }
  const parsed = parseManifest(json);
  if (!parsed.ok) throw new Error(parsed.error);
  const own = withOwnTiers(parsed.manifest);
  const reimported = await applyToInstalled(parsed.manifest, own, onnx, choice);
  if (reimported) return reimported;
  await addCheckedModel(own.manifest, onnx, 'imported', check);
  return { installed: 'added', ...own, writtenBackFieldsNote: writtenBackFieldsNote(own.manifest, await readWrittenBackFields()) };
}

/** A manifest as imported (`withOwnTiers`), and why its file's thresholds were not kept (`ImportResult`). */
type OwnTiers = { manifest: Manifest; thresholdsChosenAgain: string | null };

/**
 * `manifest` with the tier thresholds its own policy gives, or an error when its policy cannot be
 * applied; checked before anything is stored or changed. A manifest is a file anyone can edit, and
 * thresholds at odds with its policy would tier every lead otherwise than the policy the Tier policy
 * section says is in force ($100 per conversion and $10 per contact with hot from 0% likely: every
 * lead hot). A policy the tier form refuses is refused as it refuses it: a value policy whose tiers
 * would sort no lead ($0 per contact, or a contact costing a conversion's revenue or more), a
 * capacity policy asking more hot and warm leads a week than come in, fixed thresholds at 0% (every
 * lead hot, or none cold: the file's own thresholds, kept as they are). A value policy's thresholds
 * come from its revenue and cost alone, so they are chosen again as the trainer chooses them
 * (`tierThresholds`); a capacity policy's are kept when they put about the shares it asks of the
 * model's reference leads in hot and warm, and else chosen again on those leads (`reapplyPolicy`),
 * saying so (`thresholdsChosenAgain`): Tier policy's Apply chooses them on the leads stored in the
 * browser it is applied in, which may rank otherwise than the leads the model was trained on, and a
 * hand edit may have changed them. A fixed policy's, the admin's own, are kept.
 */
function withOwnTiers(manifest: Manifest): OwnTiers {
  const { policy } = manifest.tiers;
  const refusal = policy.kind === 'value' ? valueSortsNoLead(policy)?.message : policy.kind === 'capacity' ? capacityOverInflow(policy) : fixedSortsNoLead(manifest.tiers)?.message;
  if (refusal) throw new Error(`Nothing was imported: the tier policy in manifest.json cannot be applied. ${refusal}`);
  if (policy.kind === 'value') return { manifest: { ...manifest, tiers: { policy, ...tierThresholds(policy, new Uint8Array(0), new Float64Array(0)) } }, thresholdsChosenAgain: null };
  const atOdds = policy.kind === 'capacity' ? capacityAtOdds(manifest, policy) : null;
  if (!atOdds) return { manifest, thresholdsChosenAgain: null };
  const tiers = reapplyPolicy(manifest.tiers, manifest);
  const thresholdsChosenAgain =
    `The file's capacity thresholds (${thresholdsInWords(manifest.tiers)}) ${atOdds}: they were chosen on other leads, or edited. ` +
    `They were chosen again on the leads the model was trained on: ${thresholdsInWords(tiers)}. ` +
    'With the model active, apply the policy again under Tier policy to choose them on the leads stored in this browser.';
  return { manifest: { ...manifest, tiers }, thresholdsChosenAgain };
}

const thresholdsInWords = ({ hot, warm }: Tiers) => `hot from ${formatThreshold(hot)}, warm from ${formatThreshold(warm)} likely`;

/**
 * How far a capacity policy's shares may be from those its thresholds put in hot, and in hot and
 * warm together, of the reference leads: the trainer chose them on held-out probabilities, the
 * reference is the final model's, and a tie moves a cut by its size (counted in).
 */
const CAPACITY_SHARE_TOLERANCE = 0.1;

/**
 * How a capacity policy's thresholds contradict it, in words, or null: hot from 0% under "10 hot a
 * week of 100" makes every lead hot while the Tier policy section says 10 a week. Judged on the model's
 * reference leads (`reference.probabilityPercentiles`: 100 equal shares), a share being between
 * those above a threshold and those at or above the reference value just under it (a tie at the
 * threshold, or just under it, which the cut may have gone either side of).
 */
function capacityAtOdds(manifest: Manifest, policy: Extract<Tiers['policy'], { kind: 'capacity' }>): string | null {
  const cuts = [0, ...manifest.reference.probabilityPercentiles]; // [100]: the lowest probability of each share
  // At a threshold is within SAME_PROBABILITY_TOLERANCE of it: a cut holding a tie sits just under the tie's probability (`CUT_MARGIN`).
  const shareFrom = (threshold: number) => cuts.filter((cut) => cut >= threshold - SAME_PROBABILITY_TOLERANCE).length / 100;
  // A cut goes on either side of a tie: below one at the threshold (the tie held), or above one just under it (the tie left out).
  const sharesFrom = (threshold: number) => {
    const below = cuts.filter((cut) => cut < threshold - SAME_PROBABILITY_TOLERANCE);
    const withTieUnder = below.length === 0 ? shareFrom(threshold) : shareFrom(Math.max(...below));
    return [cuts.filter((cut) => cut > threshold + SAME_PROBABILITY_TOLERANCE).length / 100, shareFrom(threshold), withTieUnder] as const;
  };
  const tiers = [
    { name: 'hot', threshold: manifest.tiers.hot, asked: policy.hotPerWeek },
    { name: 'hot and warm', threshold: manifest.tiers.warm, asked: policy.hotPerWeek + policy.warmPerWeek },
  ];
  for (const { name, threshold, asked } of tiers) {
    const share = asked / policy.inflowPerWeek;
    const [above, atOrAbove, withTieUnder] = sharesFrom(threshold);
    if (share < above - CAPACITY_SHARE_TOLERANCE || share > withTieUnder + CAPACITY_SHARE_TOLERANCE) {
      return `put ${percentText(Math.round(atOrAbove * 100))} of the leads the model was trained on in ${name}, where its policy asks ${percentText(Math.round(share * 100))} (${asked} of ${policy.inflowPerWeek} new leads a week)`;
    }
  }
  return null;
}

type PolicyApplied = Extract<ImportResult, { installed: 'tierPolicyApplied' }>;
export type PolicyDiffers = Extract<ImportResult, { installed: 'tierPolicyDiffers' }>;

/**
 * The import of a model whose id is installed (bundled, or stored and not an unchecked
 * leftover), or null when it is not. Files that are that model apart from the tier policy give
 * it the file's policy (`own`: with the thresholds it is imported with) once `choice` replaces the
 * one in force; other files under its id are refused, saying how to replace it.
 */
async function applyToInstalled(file: Manifest, own: OwnTiers, onnx: Uint8Array, choice: ImportChoice): Promise<PolicyApplied | PolicyDiffers | null> {
  const { modelId } = file;
  const bundled = bundledModel.manifest();
  if (bundled.ok && bundled.manifest.modelId === modelId) {
    // Its bytes are fetched from the package first (which would end a transaction); it cannot be deleted meanwhile.
    const bundledOnnx = await modelBytes(modelId);
    const howToReplace = 'the bundled model cannot be deleted, so import these files under another id (the "modelId" in their manifest.json)';
    // One transaction with the policy's write: no Apply lands between the comparison with the policy the admin chose to replace and it.
    return db.transaction('rw', [db.models, db.settings], async () => applyIfSameModel(file, own, onnx, bundledOnnx, howToReplace, choice));
  }
  // One transaction with the policy's write: a delete of the model cannot come between the comparison and it.
  return db.transaction('rw', [db.models, db.settings], async () => {
    const stored = await db.models.get(modelId);
    // An unchecked row is no installed model: addCheckedModel replaces it, or says another tab is checking it.
    if (!stored || isUnchecked(stored)) return null;
    const howToReplace = `to replace it with these files, delete ${modelId} under Model versions (activate another model first if it is the active one; an export keeps a copy of the model and its tier policy, not the held-out probabilities of a model trained here), then import them again`;
    const applied = await applyIfSameModel(file, own, onnx, stored.onnx, howToReplace, choice);
    // Not yet chosen: nothing of the stored copy changes until the admin says to replace its policy.
    if (applied.installed === 'tierPolicyDiffers') return applied;
    // Files of a later trainer (the command line's rebuild, a newer LeadLens's export): the stored copy takes their newer record, as a file may, and their labels of its rule's values (`recordNewerReading`).
    if (!(await recordNewerReading(modelId, file, 'importedFile'))) return applied;
    const manifest = await manifestOf(modelId);
    // What it recorded may be only that the leakage check ran, or labels: no newer reading to tell of then.
    return { ...applied, manifest, readingRecorded: manifest.derivedReadingVersion !== applied.manifest.derivedReadingVersion };
  });
}

/**
 * `manifest` without what two manifests of one model may differ in: its tier policy (the admin's)
 * and its held-out tier confusion, counted at that policy's thresholds (`exportFiles`), and the
 * records a later trainer adds for the same model, which change no score, tier or reason and are
 * not part of its id (made of the ONNX bytes, features, calibration and tiers): the reading its
 * fields were read with (`derivedReadingVersion`), the leakage flags the admin kept
 * (`provenance.leakageFlagsKept`, which the command line now writes too), whether the leakage
 * check could not run (`provenance.leakageCheckNotRun`) and the labels its outcome rule is described
 * by (`outcomeRule.valueLabels`: a training the CRM did not answer records none, and a stage may be
 * renamed since). An export made before they were written is still that model; the ONNX bytes are
 * compared apart.
 */
function modelApartFromRecords({
  tiers: _tiers,
  metrics: { tierConfusion: _confusion, ...metrics },
  derivedReadingVersion: _reading,
  outcomeRule,
  provenance: { leakageFlagsKept: _flags, leakageCheckNotRun: _notRun, ...provenance },
  ...model
}: Manifest) {
  return { ...model, metrics, ...(outcomeRule && { outcomeRule: ruleApartFromLabels(outcomeRule) }), provenance };
}
/**
 * `rule` without the labels it is described by, its values sorted: the values it compares are the
 * rule, in whatever order the admin ticked them.
 */
const ruleApartFromLabels = ({ valueLabels: _labels, positiveValues, openValues, openStatus, ...rule }: ModelOutcomeRule) => ({
  ...rule,
  positiveValues: [...positiveValues].sort(),
  ...(openValues && { openValues: [...openValues].sort() }),
  ...(openStatus && { openStatus: { ...openStatus, values: [...openStatus.values].sort() } }),
});
/** Both parsed by the same schema, so their keys come in its order: the same JSON is the same model. */
const sameModelIn = (a: Manifest, b: Manifest) => JSON.stringify(modelApartFromRecords(a)) === JSON.stringify(modelApartFromRecords(b));
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Gives the installed model `file` names (`installedOnnx`: its bytes) the file's tier policy if
 * the files are that model; else throws why not and `howToReplace` it. Thresholds the file has as
 * they are in force (its own export, brought back: a backup restored, or the admin checking it)
 * stay as they are, even capacity ones Tier policy chose on the leads stored here, which put other
 * shares of the reference leads in hot and warm: nothing is written or forgotten. Else the policy
 * is given with the thresholds `own` chose, only if `choice` replaces the policy in force now (an
 * older export would otherwise undo, unasked, a policy applied since): until then nothing changes,
 * and the admin is to be asked (`tierPolicyDiffers`). Within the caller's transaction.
 */
async function applyIfSameModel(
  file: Manifest,
  own: OwnTiers,
  onnx: Uint8Array,
  installedOnnx: Uint8Array,
  howToReplace: string,
  choice: ImportChoice,
): Promise<PolicyApplied | PolicyDiffers> {
  const { modelId } = file;
  // Stored data: a manifest that no longer parses is of no model these files can be shown to be.
  const installed = await manifestOf(modelId).catch(() => null);
  if (!installed || !sameModelIn(installed, file) || !sameBytes(installedOnnx, onnx)) {
    const why = installed ? 'these files are another model under the same id' : 'its stored manifest cannot be read';
    throw new Error(`Model ${modelId} is already installed, and ${why}: ${howToReplace}.`);
  }
  const inForceAlready = sameTiers(installed.tiers, file.tiers);
  const tiers = inForceAlready ? installed.tiers : own.manifest.tiers;
  const thresholdsChosenAgain = inForceAlready ? null : own.thresholdsChosenAgain;
  if (sameTiers(installed.tiers, tiers)) return { installed: 'tierPolicyApplied', manifest: installed, tierPolicyChanged: false, readingRecorded: false, thresholdsChosenAgain };
  if (!choice.replaces || !sameTiers(choice.replaces, installed.tiers)) return { installed: 'tierPolicyDiffers', manifest: installed, fileTiers: tiers, thresholdsChosenAgain };
  await setTiersOwingRetier(modelId, tiers);
  // The figures kept were the replaced policy's: the form reads the file's own, the defaults for the rest. The same policy's (other thresholds) are still its.
  if (!sameTierPolicy(installed.tiers, tiers)) await forgetPolicyFigures(modelId);
  return { installed: 'tierPolicyApplied', manifest: { ...installed, tiers }, tierPolicyChanged: true, readingRecorded: false, thresholdsChosenAgain };
}

/**
 * Records on the stored model `modelId` what `newer` (a manifest of the same model: trained again on
 * the same history and settings, or its files imported) knows better of it: the reading of its
 * fields, and the labels of its outcome rule's values (`relabelledRule`). Nothing else of the
 * stored manifest, its tiers among it. Without it, a model told to be trained again
 * (`readingChangedNote`), said to have figures that may be inflated, or described by stage ids
 * where the CRM now gives labels, would be told so for good: the training gives the same id, and
 * the stored copy is kept. Whether it recorded: never for a model not stored (the bundled one is
 * read from the package) or one whose stored manifest does not parse.
 */
export async function recordNewerReading(
  modelId: string,
  newer: Pick<Manifest, 'derivedReadingVersion' | 'provenance' | 'outcomeRule'>,
  from: 'training' | 'importedFile' = 'training',
): Promise<boolean> {
  return db.transaction('rw', db.models, async () => {
    const stored = await db.models.get(modelId);
    if (!stored) return false;
    const parsed = parseManifest(stored.manifest);
    if (!parsed.ok) return false;
    const reading = newerReadingRecord(parsed.manifest, newer, from);
    const outcomeRule = relabelledRule(parsed.manifest.outcomeRule, newer.outcomeRule);
    if (!reading && !outcomeRule) return false;
    await db.models.update(modelId, { manifest: { ...stored.manifest, ...reading, ...(outcomeRule && { outcomeRule }) } });
    return true;
  });
}

/**
 * The reading of fields `newer` was made with, when it is newer than the one `recorded`: its
 * `derivedReadingVersion`, and the leakage flags kept (`provenance.leakageFlagsKept`) of that
 * training; when that training's leakage check could not run (`provenance.leakageCheckNotRun`), it
 * knows no better than the stored record, which is kept as it is (flags, or its own check not run).
 * It is recorded too, whatever the reading, when the stored record says the check could not run
 * and `newer`'s ran: its flags (or none) replace the note, and a recorded reading as new or newer
 * stays. Null when there is nothing to record. A manifest recording no reading records nothing: it
 * was written before LeadLens said whether its check ran.
 *
 * `from` 'importedFile': `newer` is a file, whose records anyone can edit and which are no part of
 * the model's id. It may add to what the stored copy warns of, never take a warning away: a check
 * not run stays so, and the flags kept are those recorded and the file's; and a reading later than
 * this LeadLens knows is recorded as this one's, so a later change of the reading is still told.
 */
function newerReadingRecord(
  recorded: Manifest,
  newer: Pick<Manifest, 'derivedReadingVersion' | 'provenance'>,
  from: 'training' | 'importedFile',
): Pick<Manifest, 'derivedReadingVersion' | 'provenance'> | null {
  const fromFile = from === 'importedFile';
  const reading = fromFile && newer.derivedReadingVersion !== undefined ? Math.min(newer.derivedReadingVersion, DERIVED_READING_VERSION) : newer.derivedReadingVersion;
  if (reading === undefined) return null;
  // No recorded version: older than every one (`featuresReadDifferentlyNow`).
  const recordedReading = recorded.derivedReadingVersion ?? 0;
  const checkRanAtLast = !fromFile && recorded.provenance.leakageCheckNotRun !== undefined && newer.provenance.leakageCheckNotRun === undefined;
  if (recordedReading >= reading && !checkRanAtLast) return null;
  const { leakageFlagsKept: _recordedFlags, leakageCheckNotRun: _recordedNotRun, ...provenance } = recorded.provenance;
  // A check that did not run knows no better than the record; a file saying its check ran shows nothing.
  const keepsRecord = newer.provenance.leakageCheckNotRun !== undefined || (fromFile && recorded.provenance.leakageCheckNotRun !== undefined);
  const { leakageFlagsKept, leakageCheckNotRun } = keepsRecord ? recorded.provenance : fromFile ? flagsOfBoth(recorded.provenance, newer.provenance) : newer.provenance;
  const leakageRecord = { ...(leakageFlagsKept && { leakageFlagsKept }), ...(leakageCheckNotRun && { leakageCheckNotRun }) };
  return { derivedReadingVersion: Math.max(recordedReading, reading), provenance: { ...provenance, ...leakageRecord } };
}

/**
 * The stored rule `recorded` with the labels `newer` (the same rule, of a training again or an
 * imported file) describes its values by, or null when it keeps its own: `newer` labels none of
 * them, labels them as recorded, or is another rule (two rules that label no lead otherwise train
 * the same model, and the stored rule stays). Labels change no score, so the last ones the CRM gave
 * are taken whole (a stage renamed since, or its label now its id). A file's too, as its tier
 * policy: importing it is the admin's latest word on the model. A `newer` with no labels keeps the
 * recorded ones rather than dropping them: it says only that the CRM did not answer that training
 * (or that an older LeadLens made it), not that the labels changed, and the stage ids the rule
 * would then be described by are what the admin never chose by.
 */
function relabelledRule(recorded: ModelOutcomeRule | undefined, newer: ModelOutcomeRule | undefined): ModelOutcomeRule | null {
  if (!recorded || !newer?.valueLabels || Object.keys(newer.valueLabels).length === 0) return null;
  // Both parsed by the manifest's schema (a training's as the worker's event): their keys come in its order.
  const sameRule = JSON.stringify(ruleApartFromLabels(recorded)) === JSON.stringify(ruleApartFromLabels(newer));
  return sameRule && !sameLabels(recorded.valueLabels ?? {}, newer.valueLabels) ? { ...recorded, valueLabels: newer.valueLabels } : null;
}

/** Whether two sets of labels label the same values alike, whatever order their values were ticked in. */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(b);
  return Object.keys(a).length === entries.length && entries.every(([value, label]) => Object.hasOwn(a, value) && a[value] === label);
}

type LeakageRecord = Pick<Manifest['provenance'], 'leakageFlagsKept' | 'leakageCheckNotRun'>;

/** The flags `recorded` keeps, then those of `file` on other features: none dropped. */
function flagsOfBoth(recorded: LeakageRecord, file: LeakageRecord): LeakageRecord {
  const recordedFlags = recorded.leakageFlagsKept ?? [];
  const added = (file.leakageFlagsKept ?? []).filter((flag) => !recordedFlags.some((kept) => kept.key === flag.key));
  const flags = [...recordedFlags, ...added];
  return flags.length > 0 ? { leakageFlagsKept: flags } : {};
}

/**
 * Puts `tiers` in force for `modelId` if `stillInForce` says the tiers in force are those the
 * caller read (the Tier policy section's Apply: an import or another tab's Apply may have changed
 * them since); whether it did. The comparison and the write are one transaction, so no other
 * write of them lands between the two. `stillInForce` runs inside it: it must not wait on anything.
 */
export async function setTiersIfUnchanged(modelId: string, tiers: Tiers, stillInForce: (inForce: Tiers) => boolean): Promise<boolean> {
  return db.transaction('rw', [db.models, db.settings], async () => {
    if (!stillInForce((await manifestOf(modelId)).tiers)) return false;
    await setTiersOwingRetier(modelId, tiers);
    return true;
  });
}

/**
 * A model trained here, as it is activated. It takes the tier policy in force then, not the one it
 * was trained with: Tier policy may apply another while it trains (minutes), or in another tab while
 * its activation checks it (seconds); it takes that one, its thresholds chosen on its held-out leads
 * as the trainer chose them (`takePolicyInForce`, then `takePolicyAppliedSince`).
 */
export interface TrainedModel {
  modelId: string;
  /** The tiers it was trained with. */
  tiers: Tiers;
  /** Its held-out leads' probabilities, which a value or capacity policy's thresholds are chosen on. */
  heldOutProbabilities: Float64Array;
}

/** What `takePolicyInForce` read and wrote. */
export interface PolicyTaken {
  /** The active model it replaces, and its tiers as they were read. */
  replacedId: string;
  inForce: Tiers;
  /** The tiers it was given; null when it keeps its own (trained with the policy in force), or those in force (trained again to the active model's id). */
  applied: Tiers | null;
}

/** `inForce`'s policy as `model` takes it, or null when it was trained with that policy. */
const policyFor = (model: TrainedModel, inForce: Tiers): Tiers | null =>
  sameTierPolicy(inForce, model.tiers) ? null : applyPolicyOn(inForce, model.heldOutProbabilities);

const sameTiers = (a: Tiers, b: Tiers) => sameTierPolicy(a, b) && a.hot === b.hot && a.warm === b.warm;

/**
 * Gives `model` the tier policy in force, with the figures it was applied with (the form reopens
 * with them): its trained tiers when it was trained with that policy, over any policy applied to a
 * model of its id before, whose record-page scores cached then are dropped. The active model trained
 * again to its own id is that model, and keeps the tiers in force. Read and written in one
 * transaction: no Apply lands between the two. Called just before the switch, which scores the
 * stored leads with it.
 */
export async function takePolicyInForce(model: TrainedModel): Promise<PolicyTaken> {
  return db.transaction('rw', [db.models, db.settings, db.scores], async () => {
    const replaced = await activeManifest();
    // Trained again to the active model's own id, it is that model: it keeps the tiers in force (an Apply's, chosen on the stored leads).
    if (replaced.modelId === model.modelId) return { replacedId: replaced.modelId, inForce: replaced.tiers, applied: null };
    const applied = policyFor(model, replaced.tiers);
    // Trained again to an id stored before, it may keep a policy applied to it then: it scores with the one in force.
    const given = applied ?? model.tiers;
    if (!sameTiers((await manifestOf(model.modelId)).tiers, given)) {
      await setTiers(model.modelId, given);
      // Record-page scores cached while it was active before carry the tiers it had then, served for up to a day.
      await clearCachedScores(model.modelId);
    }
    await carryPolicyFigures([replaced.modelId], model.modelId);
    return { replacedId: replaced.modelId, inForce: replaced.tiers, applied };
  });
}

/**
 * After the switch: a policy applied to the model `model` replaced since `takePolicyInForce` read
 * it (another tab's Tier policy, which still showed that model active) is given to `model` too,
 * as it would have been had it landed before. Not once `model` is no longer the active one, nor
 * over a policy applied to `model` itself since (compared and saved in one transaction, its
 * stored scores then owed a re-tiering). Resolves with the tiers given, or null.
 */
export async function takePolicyAppliedSince(model: TrainedModel, taken: PolicyTaken): Promise<Tiers | null> {
  return db.transaction('rw', [db.models, db.settings], async () => {
    // Trained again to its own id (it replaced itself): what was applied to it since is in force already.
    if (taken.replacedId === model.modelId || (await activeModelId()) !== model.modelId) return null;
    // Deleted since (it is no longer active): nothing was applied to it that is still in force.
    const replaced = await manifestOf(taken.replacedId).catch(() => null);
    if (!replaced || sameTiers(replaced.tiers, taken.inForce)) return null;
    const given = taken.applied ?? model.tiers;
    const newer = policyFor(model, replaced.tiers) ?? model.tiers;
    if (sameTiers(newer, given) || !(await setTiersIfUnchanged(model.modelId, newer, (current) => sameTiers(current, given)))) return null;
    await carryPolicyFigures([taken.replacedId], model.modelId);
    return newer;
  });
}

/**
 * Puts `tiers` in force for `modelId`, recording in the same transaction that its stored scores
 * are owed a re-tiering with them (`oweRetier`): a page closed, or its message to the background
 * lost, after the save would otherwise leave the stored leads tiered by the old policy, as
 * start-up and the hourly check ask only for what is owed.
 */
async function setTiersOwingRetier(modelId: string, tiers: Tiers): Promise<void> {
  await db.transaction('rw', [db.settings], async () => {
    await setTiers(modelId, tiers);
    await oweRetier(modelId);
  });
}

/**
 * Keeps a trained model's held-out probabilities and logits (see `HeldOutScores`), replacing any
 * kept before; only while the model is stored, so a deleted model leaves none behind. Only of the
 * leads still stored: a sync that removed one since the training read it (a deletion in the CRM)
 * took it out of every model's held-out scores then, and a GDPR erasure leaves no trace.
 */
export async function keepHeldOutScores(modelId: string, heldOut: Required<Omit<HeldOutScores, 'modelId'>>): Promise<void> {
  await db.transaction('rw', [db.models, db.leads, db.heldOutScores], async () => {
    if ((await db.models.where(':id').equals(modelId).count()) === 0) throw new Error(`Model ${modelId} is not stored, so its held-out probabilities are not kept`);
    const stored = new Set(await db.leads.where(':id').anyOf(heldOut.leadKeys).primaryKeys());
    const kept = heldOut.leadKeys.flatMap((leadKey, i) => (stored.has(leadKey) ? [i] : []));
    await db.heldOutScores.put(keptHeldOutScores({ modelId, ...heldOut }, kept, kept.map((i) => heldOut.leadKeys[i])));
  });
}

/**
 * Adds a new model (imported, or trained here) that only becomes usable once the engine's
 * `check` has passed: stored unchecked (not listed, not activatable) under the id's import
 * lock, then marked checked, or deleted with an error that says what failed. If the page
 * closes meanwhile it stays unchecked and is removed later (`removeAbandonedImports`).
 */
export async function addCheckedModel(manifest: Manifest, onnx: Uint8Array, origin: StoredModel['origin'], check: ModelCheck): Promise<void> {
  const { modelId } = manifest;
  if (!MODEL_ID_PATTERN.test(modelId)) throw new Error(`The model id "${modelId.slice(0, 120)}" is not accepted: it ${MODEL_ID_RULE}`);
  assertCheckable(manifest); // before storing a model the engine would refuse to check
  const notPassed = (why: string) => new Error(`The model did not pass its check and was not ${origin === 'imported' ? 'imported' : 'kept'}: ${why}`);
  const refusal = operatorRefusal(onnx); // before storing or running a model that might never finish
  if (refusal) throw notPassed(refusal);
  // Held until the verdict is recorded (released by the browser if the page closes first).
  await navigator.locks.request(importLockName(modelId), { ifAvailable: true }, async (lock) => {
    if (!lock) throw new Error(`Model ${modelId} is being imported in another tab`);
    await removeAbandonedImports();
    const addedAt = await storeUnchecked(manifest, onnx, origin);
    const verdict = await check(modelId).catch((error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }));
    await db.transaction('rw', db.models, async () => {
      if (!(await ownImport(modelId, addedAt))) throw new Error(`Model ${modelId} was removed while it was checked: add it again`);
      if (verdict.ok) await db.models.update(modelId, { checked: true });
      else await db.models.delete(modelId);
    });
    if (!verdict.ok) throw notPassed(verdict.error);
  });
}

/**
 * The names export gives a model's two files: prefixed with the model id, so files of
 * different models are not mixed up on import (which takes any file names).
 */
export function exportFileNames(modelId: string): { manifest: string; onnx: string } {
  const prefix = modelId.replace(/[^A-Za-z0-9._-]/g, '_'); // safe in a file name on every OS
  return { manifest: `${prefix}.manifest.json`, onnx: `${prefix}.model.onnx` };
}

/**
 * The leads a model trained here learnt from, as the options page reads them (the first `heldOut`
 * of `LabelledProbabilities`): each one's outcome, its held-out probability through the shipped
 * calibration, and through one fitted without its fold (`crossFitted`; absent when an older
 * LeadLens kept the probabilities).
 */
export interface HeldOutLeads {
  labels: Uint8Array;
  probabilities: Float64Array;
  crossFitted?: Float64Array;
}

type TierConfusion = NonNullable<Manifest['metrics']['tierConfusion']>;

/** `leads` counted at `tiers`' thresholds as the trainer counts them under its policy (`countedProbabilities`), with `calibration` the model's. */
function tierConfusionOf({ labels, probabilities, crossFitted }: Required<HeldOutLeads>, { policy, hot, warm }: Tiers, calibration: Manifest['calibration']): TierConfusion {
  const counted = countedProbabilities(policy, calibration, probabilities, crossFitted);
  return { hot: { threshold: hot, ...confusionAt(labels, counted, hot) }, warm: { threshold: warm, ...confusionAt(labels, counted, warm) } };
}

/**
 * `trained`'s held-out tier confusion (counted when it was trained, at its own tiers) counted again
 * at `tiers` from `leads`, or undefined when `leads` may not be the leads and outcomes it was counted
 * on: counted at its own thresholds they must give its very counts (a lead deleted since, or whose
 * outcome changed, and they do not), and a value or fixed policy counts the cross-fitted
 * probabilities an older LeadLens did not keep.
 */
export function tierConfusionAt(trained: Manifest, tiers: Tiers, leads: HeldOutLeads): TierConfusion | undefined {
  const { tierConfusion } = trained.metrics;
  const { crossFitted } = leads;
  if (!tierConfusion || !crossFitted) return undefined;
  const kept = { ...leads, crossFitted };
  const asTrained = tierConfusionOf(kept, { policy: trained.tiers.policy, hot: tierConfusion.hot.threshold, warm: tierConfusion.warm.threshold }, trained.calibration);
  const counts = ({ tp, fp, tn, fn }: TierConfusion['hot']) => [tp, fp, tn, fn].join();
  const sameLeads = (['hot', 'warm'] as const).every((tier) => counts(asTrained[tier]) === counts(tierConfusion[tier]));
  return sameLeads ? tierConfusionOf(kept, tiers, trained.calibration) : undefined;
}

/**
 * The two files of a model, as they would be imported again. The manifest is the one the
 * model scores with: with the admin's tier policy, which is kept apart from the stored manifest,
 * and its held-out tier confusion counted again at that policy's thresholds from the leads it
 * learnt from (`heldOutLeads`, `tierConfusionAt`), so the file's counts are of the tiers it ships.
 * When they cannot be counted again (no such leads, or not those it was trained on any more) the
 * counts stay those of its training, each naming its threshold (the model card says whose they are).
 */
export async function exportFiles(modelId: string, heldOutLeads?: HeldOutLeads): Promise<{ manifestJson: string; onnx: Uint8Array }> {
  const manifest = await manifestOf(modelId);
  const trained = heldOutLeads && (await ownManifestOf(modelId));
  const tierConfusion = trained && tierConfusionAt(trained, manifest.tiers, heldOutLeads);
  const exported = tierConfusion ? { ...manifest, metrics: { ...manifest.metrics, tierConfusion } } : manifest;
  return { manifestJson: JSON.stringify(exported, null, 2), onnx: await modelBytes(modelId) };
}

/** What a CRM calls the fields a feature spec maps. */
const CRM_FIELD_WORDS = { salesforce: 'Salesforce field', hubspot: 'HubSpot property' } as const;

/**
 * What a model cannot score for want of a CRM's fields, in plain words, or null when it reads
 * fields of both CRMs. Such a model passes its checks all the same (the CLI without `--features`
 * infers features that read CSV columns alone), and every badge of that CRM would say it could
 * not read any of the lead's fields. Not a reason to refuse it: scoring CSV files is a use.
 */
export function crmFieldsNote(manifest: Manifest): string | null {
  const unread = CRM_KINDS.filter((crm) => featuresTracked(manifest, crm) === 0);
  if (unread.length === 0) return null;
  const crms = unread.map((crm) => CRM_LABEL[crm]).join(' or ');
  const scores =
    unread.length === CRM_KINDS.length
      ? "it can only score CSV files (a CRM lead's badge says none of its fields could be read)"
      : `it cannot score ${crms} leads (their badges say none of their fields could be read)`;
  // A model trained here read one source's leads; one trained with the CLI reads CRM fields its feature spec maps.
  const remedy = manifest.outcomeRule
    ? `train a model here on ${crms} leads`
    : `train it with --features SPEC.json, mapping each feature to its ${unread.map((crm) => CRM_FIELD_WORDS[crm]).join(' and ')} (see "Training your own" in models/README.md; models/demo-features.json is an example)`;
  return `${manifest.modelId} reads no ${crms} field: ${scores}; to score ${crms} leads, ${remedy}.`;
}

/** A field LeadLens has written scores to, as the CRM spells it (`writtenBackFields`). */
interface WrittenBackField {
  crm: CrmKind;
  name: string;
}

async function readWrittenBackFields(): Promise<WrittenBackField[]> {
  const byCrm = await Promise.all(CRM_KINDS.map(async (crm) => (await writtenBackFields(crm)).map((name) => ({ crm, name }))));
  return byCrm.flat();
}

/**
 * What a model that reads fields LeadLens writes scores to (`written`) does, in plain words, or
 * null when it reads none: said on import, in its row and on its activation, not first when a
 * write-back is refused. Those fields hold an earlier model's scores, so its own would feed on
 * them; and write-back refuses to write to a field the active model reads (`modelInputRefusal`,
 * by the same test: `featuresReadingField`), so while it is active they keep the scores written
 * last. Training here leaves them out; a colleague's model, or one the CLI trained, may not.
 */
export function writtenBackFieldsNote(manifest: Manifest, written: readonly WrittenBackField[]): string | null {
  const read = written.flatMap(({ crm, name }) => {
    const readBy = featuresReadingField(crm, name, manifest.features);
    return readBy.length === 0 ? [] : [`the ${CRM_FIELD_WORDS[crm]} "${name}" (for ${listInWords(readBy.map((feature) => `"${feature.label}"`))})`];
  });
  if (read.length === 0) return null;
  const { modelId } = manifest;
  const one = read.length === 1;
  return (
    `${modelId} reads ${listInWords(read)}, which LeadLens writes its scores to: it would score leads partly by the scores LeadLens wrote there before, not by facts about the leads. ` +
    `Write-back refuses to write scores to a field the active model reads, so while it is active ${one ? 'that field keeps' : 'those fields keep'} the scores written last, if write-back still names ${one ? 'it' : 'them'}. ` +
    `Train a model here instead (training here leaves out the fields LeadLens writes to), or ask whoever made ${modelId} for a model that does not read ${one ? 'it' : 'them'}.`
  );
}

/** A feature a model reads, as its version is told apart by: its key, which is the same feature in another model, and its label. */
export type FeatureName = Pick<Manifest['features'][number], 'key' | 'label'>;

/**
 * A listed model, with the features it reads, what it cannot score (`crmFieldsNote`) and what it
 * reads of the fields LeadLens writes scores to (`writtenBackFieldsNote`); all null for a damaged
 * one, which cannot score at all. `datedByData`: its `createdAt` is its data's reference time, not
 * the day it was trained (`datedByItsData`: one the command line trained).
 */
export type ModelVersion = ModelSummary & { features: FeatureName[] | null; crmFieldsNote: string | null; writtenBackFieldsNote: string | null; datedByData: boolean };

/**
 * Every model `listModels` lists, with its features, `crmFieldsNote` and `writtenBackFieldsNote`,
 * from the manifest read to list it (they read its features, not its tier policy).
 */
export async function listModelVersions(): Promise<ModelVersion[]> {
  const [listed, written] = await Promise.all([listModels(), readWrittenBackFields()]);
  return listed.map(({ summary, manifest }) => ({
    ...summary,
    features: manifest && manifest.features.map(({ key, label }) => ({ key, label })),
    crmFieldsNote: manifest && crmFieldsNote(manifest),
    writtenBackFieldsNote: manifest && writtenBackFieldsNote(manifest, written),
    datedByData: manifest !== null && datedByItsData(manifest),
  }));
}
