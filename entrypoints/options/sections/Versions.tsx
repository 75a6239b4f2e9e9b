import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { FocusKeepingButton } from '@/components/KeepFocus';
import { SidewaysScroll } from '@/components/SidewaysScroll';
import { ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { replyOrReadBack } from '@/lib/messaging/rpc';
import { db } from '@/lib/db/db';
import { owedScoringModel, readJob } from '@/lib/jobs/progress';
import { readingChangedNote } from '@/lib/ml/manifest';
import { activeModelId, deleteModel, exportAsStored, storedScoresOf } from '@/lib/ml/model-store';
import { DATA_AS_OF, describeModelOutcome, modelSourceName } from '@/lib/ml/outcome-rule';
import { describeTierPolicy, sameTierPolicy } from '@/lib/ml/tier-policy';
import { MIN_LEVEL_COUNT } from '@/lib/ml/train/dataset';
import { shownLabel } from '@/lib/ml/visible-text';
import {
  crmFieldsNote,
  exportFileNames,
  exportFiles,
  importModel,
  importSizeError,
  listModelVersions,
  previousModelId,
  type FeatureName,
  type HeldOutLeads,
  type ImportChoice,
  type ImportResult,
  type ModelVersion,
  type PolicyDiffers,
} from '@/lib/ml/model-versions';
import { listInWords } from '@/lib/list-in-words';
import { MADE_UP_LEADS_MODEL_WORDS, RANKING_QUALITY, formatDay, formatModelDay, heldOutAucMeaning, isCalendarDay, plural, unscoredAfterActivation } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { downloadFile } from '@/lib/ui/download';
import { MODEL_CHANGE_MUTATION, useActiveModelId, useJob, useModelChangeRunning, useReplacedSinceActive } from '@/lib/ui/hooks';
import { labelledQuery } from '../policy-client';
import { ActionStatus, ConfirmButton, useConfirmation } from './ConfirmedAction';

const ORIGIN_WORDS = { bundled: 'Bundled', trained: 'Trained here', imported: 'Imported' } as const;

/**
 * What Delete's confirmation says goes, and what an export would keep: the model's two files,
 * its manifest with its tier policy. Not what training here kept beside them: imported again it
 * is listed as imported, and without the held-out probabilities of its training leads, which the
 * tier preview, the confusion matrices and the segments' rates then read from its own scores of
 * those leads. A damaged model cannot be exported at all; one made by a newer LeadLens is exported as stored.
 */
function deleteWarning({ id, origin, damaged, madeByNewerVersion }: Pick<ModelVersion, 'id' | 'origin' | 'damaged' | 'madeByNewerVersion'>): string {
  const deletes = `This deletes ${id}, its tier policy and its stored lead scores, and cannot be undone`;
  if (madeByNewerVersion) return `${deletes}, though an updated LeadLens would score with it again: export it first to keep a copy of it as stored.`;
  if (damaged !== undefined) return `${deletes}.`;
  if (origin !== 'trained') return `${deletes}: export it first to keep a copy of the model with its tier policy.`;
  return (
    `${deletes}. An export keeps a copy of the model with its tier policy, not all that training here kept: imported again, it is listed as ` +
    `${ORIGIN_WORDS.imported}, not ${ORIGIN_WORDS.trained}, and without the held-out probabilities of the leads it was trained on, so the tier ` +
    "preview, the confusion matrices and the segments' conversion rates place those leads by its own scores of them, which flatter it."
  );
}

/**
 * What a model made by a newer LeadLens says in its row (`madeByNewerVersion`): not that it is
 * damaged, nor to delete it, as an update of LeadLens scores with it again; only not until then.
 */
function newerModelNote({ damaged, active }: Pick<ModelVersion, 'damaged' | 'active'>): string {
  const meanwhile = active
    ? 'Until then it cannot score: as the active model, every badge in this browser says so instead of a score. Activate another model to score leads meanwhile.'
    : 'Until then it cannot score, so it cannot be activated.';
  return `${damaged} ${meanwhile} Export keeps a copy of it as stored.`;
}

/**
 * What a model whose tier policy a newer LeadLens set says in its row (`newerTierPolicy`): it
 * scores all the same, with the thresholds it came with, not those the admin chose there.
 */
const newerTierPolicyNote = (why: string) =>
  `${why} Until then, it scores with the thresholds it came with, unless a policy is applied to it under Tier policy (with it active), which replaces the newer one. ` +
  'Export keeps the newer one as it was set.';

/**
 * What a model learnt from, to tell versions apart: how many leads and conversions, and their
 * outcome rule, which names their source (`5,000 leads, 464 conversions; converted means "Status"
 * is Closed - Converted, for Salesforce leads`), or the source its trainer recorded (a file name,
 * for one the CLI trained); and whether they were made up.
 */
function learntFromWords({ rows, positives, trainedOn }: Pick<ModelVersion, 'rows' | 'positives' | 'trainedOn'>): string {
  const counts = `${plural(rows, 'lead', 'leads')}, ${plural(positives, 'conversion', 'conversions')}`;
  if (!trainedOn) return counts;
  const { outcomeRule, source, madeUpLeads } = trainedOn;
  const from = outcomeRule ? `; converted means ${describeModelOutcome(outcomeRule)}` : `, from ${shownLabel(modelSourceName(source))}`;
  return `${counts}${from}${madeUpLeads ? ` (${MADE_UP_LEADS_MODEL_WORDS})` : ''}`;
}

/** The most features a row names on either side of a difference: a model from elsewhere may read none of the active model's. */
const MOST_FEATURES_NAMED = 3;

/**
 * What a model reads, to tell versions apart whose leads and outcome read alike: how many
 * features, and for a model other than the active one (whose features are `activeFeatures`; null
 * when they cannot be read), those it reads that the active one does not and those of the active
 * one it leaves out, by label ("16 features: the active model's without Title seniority"). A
 * feature is matched by its key, the feature picker's choice, whichever field it reads.
 */
function featuresWords(features: readonly FeatureName[], active: boolean, activeFeatures: readonly FeatureName[] | null): string {
  const count = plural(features.length, 'feature', 'features');
  if (active || !activeFeatures) return count;
  const keys = new Set(features.map((feature) => feature.key));
  const activeKeys = new Set(activeFeatures.map((feature) => feature.key));
  const added = features.filter((feature) => !activeKeys.has(feature.key));
  const left = activeFeatures.filter((feature) => !keys.has(feature.key));
  if (added.length === features.length) return `${count}, none of them the active model's`;
  if (added.length === 0 && left.length === 0) return `${count}, the same as the active model's`;
  const named = (some: readonly FeatureName[]) => listInWords(some.map((feature) => feature.label), MOST_FEATURES_NAMED);
  const differences = [...(added.length > 0 ? [`with ${named(added)}`] : []), ...(left.length > 0 ? [`without ${named(left)}`] : [])];
  return `${count}: the active model's ${differences.join(', ')}`;
}

/**
 * When a model was trained: its day, with the time of day when another listed model was trained
 * that day too (`sharedDays`), else the two read alike; and for an imported one the day it was
 * imported, as its own date is the day whoever exported it trained it. One dated by its data (the
 * command line's, `datedByData`) says so: its day is its data's latest, not when it was trained.
 */
function trainedWords({ createdAt, importedAt, datedByData }: Pick<ModelVersion, 'createdAt' | 'importedAt' | 'datedByData'>, sharedDays: ReadonlySet<string>): string {
  const day = dayOf({ createdAt, datedByData });
  const time =
    sharedDays.has(day) && !isCalendarDay(createdAt)
      ? `, ${new Date(createdAt).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', ...(datedByData && { timeZone: 'UTC' }) })}`
      : '';
  return `${datedByData ? `${DATA_AS_OF} ` : ''}${day}${time}${importedAt === undefined ? '' : ` (imported ${formatDay(importedAt)})`}`;
}

/** A model's day: that of its data, as its file wrote it, for one dated by its data (`DayClock`); else the browser's. */
const dayOf = ({ createdAt, datedByData }: Pick<ModelVersion, 'createdAt' | 'datedByData'>) => formatModelDay(createdAt, datedByData);

/** The days (as `dayOf` writes them) more than one of `models` was trained on. */
function daysSharedBy(models: readonly ModelVersion[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const model of models) {
    if (model.damaged !== undefined) continue;
    const day = dayOf(model);
    if (seen.has(day)) shared.add(day);
    seen.add(day);
  }
  return shared;
}

/**
 * The leads a model trained here learnt from, as the Model report reads them (`labelledQuery`, in
 * the policy worker): what its export counts its tiers on at the thresholds it ships.
 */
async function heldOutLeadsOf(queryClient: QueryClient, modelId: string): Promise<HeldOutLeads> {
  const { labels, probabilities, crossFitted, heldOut } = await queryClient.fetchQuery(labelledQuery(modelId));
  return { labels: labels.subarray(0, heldOut), probabilities: probabilities.subarray(0, heldOut), ...(crossFitted && { crossFitted: crossFitted.probabilities.subarray(0, heldOut) }) };
}

/**
 * A model's two files; one made by a newer LeadLens, or given its tier policy by one, as stored,
 * for that LeadLens to import (this one cannot read its manifest or policy). One trained here has
 * its tiers counted on the leads it learnt from (`exportFiles`).
 */
async function download(queryClient: QueryClient, { id, origin, madeByNewerVersion, newerTierPolicy }: Pick<ModelVersion, 'id' | 'origin' | 'madeByNewerVersion' | 'newerTierPolicy'>) {
  const { manifestJson, onnx } =
    madeByNewerVersion || newerTierPolicy !== undefined
      ? await exportAsStored(id)
      : await exportFiles(id, origin === 'trained' ? await heldOutLeadsOf(queryClient, id) : undefined);
  const names = exportFileNames(id);
  downloadFile(names.manifest, manifestJson, 'application/json');
  downloadFile(names.onnx, onnx, 'application/octet-stream');
}

/**
 * How reps get a model made active here (README, "Rolling out to a team"): the active model is
 * kept in this browser's profile, so each rep's LeadLens keeps its own.
 */
export const TEAM_ROLLOUT =
  "A model made active here scores in this browser only: each rep's LeadLens keeps its own model until the rep imports its export " +
  '(Model versions → Export gives both files, with its tier policy; the rep imports them under Model versions → Import a model). ' +
  'Or write its scores to CRM fields (Write scores to the CRM), which every user of the CRM sees.';

/** What an exported model's files give away (the README's "What leaves the browser" says it too). */
const EXPORT_HOLDS_CRM_VALUES =
  `An exported model holds some of your CRM's values: the categories it learnt from ${MIN_LEVEL_COUNT} or more leads (a lead source, an industry, a company) ` +
  'and ranges of numbers and dates. Share its files only as you would share the leads.';

/**
 * What an activation or a roll back says once done, in Model versions and Training alike: `done`
 * ("trained-1 is active"); that the CRM badges of this browser use it now, not a rep's
 * (`TEAM_ROLLOUT`); how many stored leads it scored, and left without a score; `more` (what else
 * the activation did); and `modelNotes`: what the model cannot score (`crmFieldsNote`), or its
 * badges there would say no field could be read under a line saying they use it, and the fields
 * LeadLens writes scores to that it reads (`writtenBackFieldsNote`), or the next write-back is
 * the first to say so, by refusing.
 */
export function activationDone(
  done: string,
  { scored, stored, scoringProblem }: { scored: number; stored: number; scoringProblem?: string },
  modelNotes: string | null | undefined,
  more = '',
): string {
  // Leads it reads no field of get no score: the side panel would count them, the admin here should hear of them.
  const unscored = scoringProblem ? '' : unscoredAfterActivation({ scored, stored });
  const scoredWith = scored > 0 ? `, and ${plural(scored, 'stored lead was', 'stored leads were')} scored with it` : '';
  const said = `${done}: CRM badges in this browser use it now${scoredWith}.${more}${unscored}${scoringProblem ? ` ${scoringProblem}` : ''}`;
  return modelNotes ? `${said} ${modelNotes}` : said;
}

/** What is said once a change is done; of an activation or a roll back, also the model it made active. */
interface ChangeDone {
  said: string;
  activated?: string;
}

/** Activate, roll back or delete: `running` is said while `run` runs. */
interface ModelChange {
  running: string;
  run(): Promise<ChangeDone>;
  /** The control that started it: the status line may take the focus from it. */
  trigger: Element | null;
}

/** What an activation says of the stored leads when LeadLens's background stopped before their scoring with the model was done. */
const SCORING_GOES_ON = "LeadLens's background stopped while it scored the stored leads with it: that scoring goes on where it stopped.";
const SCORING_IN_ITS_TURN =
  "LeadLens's background stopped before it scored the stored leads with it: they are scored with it in their turn, when it starts again or at its hourly check at the latest.";

/**
 * The reply a switch to `modelId` would have given, read from what is stored, when LeadLens's
 * background stopped before it answered (Chrome stopped its worker): the switch and the scoring of
 * every lead it owes are one write, and that scoring's run settles it as it ends, done or failed;
 * until then it goes on (in the offscreen document, or asked again as the next worker starts).
 */
async function switchReadBack(modelId: string) {
  if ((await activeModelId()) !== modelId) throw new Error(`LeadLens's background stopped before it answered, and ${modelId} is not active: try again.`);
  const [stored, owedModel, scoring] = await Promise.all([db.leads.count(), owedScoringModel(), readJob('scoring')]);
  const switched = { ok: true as const, modelId, scored: 0, stored };
  if (owedModel === modelId) {
    const running = scoring?.state === 'running' && scoring.modelId === modelId && scoring.source === undefined;
    return { ...switched, scoringProblem: running ? SCORING_GOES_ON : SCORING_IN_ITS_TURN };
  }
  if (scoring?.modelId === modelId && scoring.source === undefined && scoring.state === 'failed') {
    return { ...switched, scoringProblem: `The stored leads could not be scored with it: ${scoring.error}` };
  }
  return { ...switched, scored: await storedScoresOf(modelId).count() };
}


/**
 * What an import did, what the model cannot score, whether it reads fields LeadLens writes scores
 * to or reads fields otherwise than it learnt, and why the file's capacity thresholds were chosen
 * again (the file still says others). `choice`: what the admin chose when asked, if this import
 * is the files imported again after the question.
 */
function importedText(imported: ImportResult, choice: ImportChoice): string {
  const { modelId } = imported.manifest;
  const thresholds = imported.thresholdsChosenAgain ? ` ${imported.thresholdsChosenAgain}` : '';
  if (imported.installed === 'tierPolicyDiffers') {
    // Asked to replace a policy another tab's Apply replaced since: the question names the one in force now.
    const since = choice.replaces ? ' The tier policy in force changed since you were asked, so it was not replaced.' : '';
    return `${modelId} is already installed, with another tier policy than the file's: nothing was changed.${since}`;
  }
  if (imported.installed === 'tierPolicyApplied') {
    // The note asking to train it again goes by this record: say why it changed.
    const reading = imported.readingRecorded ? ' The file also shows it was trained with a newer reading of its fields, which is now recorded.' : '';
    if (imported.tierPolicyChanged) return `${modelId} is already installed: its tier policy was updated from the file.${thresholds}${reading}`;
    return reading || thresholds
      ? `${modelId} is already installed, with the file's tier policy.${thresholds}${reading}`
      : `${modelId} is already installed, with the file's tier policy: nothing changed.`;
  }
  return [
    `Imported ${modelId}. It is not active yet: activate it in the table above when you are ready.`,
    imported.thresholdsChosenAgain,
    crmFieldsNote(imported.manifest),
    imported.writtenBackFieldsNote,
    readingChangedNote(imported.manifest),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The question asked before the files of an installed model replace the tier policy in force with
 * theirs, both named as Model versions and Tier policy word them: confirmed, `onReplace`.
 */
function ReplacePolicyQuestion({ differs, onReplace }: { differs: PolicyDiffers; onReplace(): void }) {
  const { manifest, fileTiers, thresholdsChosenAgain } = differs;
  const { modelId, tiers: inForce } = manifest;
  // Figures the Tier policy form kept for the policy in force (a value policy's leads a week, a capacity one's revenue and cost) are its alone.
  const figures = sameTierPolicy(inForce, fileTiers) ? '' : ', and the figures Tier policy kept with the policy in force are forgotten';
  return (
    <ConfirmButton
      label="Replace its tier policy…"
      ariaLabel={`Replace the tier policy of ${modelId} with the file's`}
      question={`Confirm replacing the tier policy of ${modelId}`}
      confirmLabel="Yes, replace it"
      disabled={false}
      onConfirm={onReplace}
    >
      {`Replace ${describeTierPolicy(inForce)} with the file's ${describeTierPolicy(fileTiers)}? ${modelId}'s stored leads are tiered again by it${figures}.`}
      {thresholdsChosenAgain && ` ${thresholdsChosenAgain}`}
    </ConfirmButton>
  );
}

/** `listed`: the models as the table lists them, which say whether a model just imported still waits to be activated. */
function ImportForm({ listed, onImported }: { listed: readonly ModelVersion[]; onImported(): Promise<unknown> }) {
  const manifestInput = useRef<HTMLInputElement>(null);
  const onnxInput = useRef<HTMLInputElement>(null);
  const importButton = useRef<HTMLButtonElement>(null);
  // `differs`: the files would replace the tier policy in force, which is asked first. `added`: the id of a model the import added,
  // which the message says is not active yet.
  const [message, setMessage] = useState<{ ok: boolean; text: string; differs?: PolicyDiffers; added?: string } | null>(null);
  const importFiles = useMutation({
    mutationFn: async (choice: ImportChoice) => {
      const manifestFile = manifestInput.current?.files?.[0];
      const onnxFile = onnxInput.current?.files?.[0];
      if (!manifestFile || !onnxFile) throw new Error('Choose both files: manifest.json and model.onnx');
      // Before reading them: a file chosen by mistake (a video, a disk image) must not be read whole into the page.
      const tooLarge = importSizeError(manifestFile.size, onnxFile.size);
      if (tooLarge) throw new Error(tooLarge);
      const imported = await importModel(
        await manifestFile.text(),
        new Uint8Array(await onnxFile.arrayBuffer()),
        (modelId) => background.checkModel({ modelId }),
        choice,
      );
      if (imported.installed === 'tierPolicyApplied') {
        // As the Tier policy section's Apply: the background re-scores open badges and re-tiers the stored scores.
        const { modelId } = imported.manifest;
        await succeeded(background.retierStoredScores({ modelId })).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`${modelId} has the file's tier policy now and badges in this browser use it, but its stored leads could not be re-tiered (${reason}): import the files again to retry.`);
        });
      }
      return imported;
    },
    onSuccess: (imported, choice) =>
      setMessage({
        ok: true,
        text: importedText(imported, choice),
        ...(imported.installed === 'tierPolicyDiffers' && { differs: imported }),
        ...(imported.installed === 'added' && { added: imported.manifest.modelId }),
      }),
    onError: (error) => setMessage({ ok: false, text: error.message }),
    onSettled: onImported,
  });
  const differs = message?.differs;
  const added = message?.added === undefined ? undefined : listed.find((model) => model.id === message.added);
  // Adjusted while rendering (not in an effect): "not active yet" goes for good once the model is active (here, by Training, in
  // another tab), even once it is rolled back; and it is said only while the table lists the model: from when the list is read
  // again after the import (the row it points to is there) until the model is deleted.
  if (added?.active) setMessage(null);
  const said = message?.ok && (message.added === undefined || added !== undefined) ? message.text : null;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (importFiles.isPending) return; // a submit while Import model is unavailable (FocusKeepingButton)
        setMessage(null);
        importFiles.mutate({});
      }}
      style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'end' }}
    >
      {/* Another file chosen: what was said about the last import is not about these files. */}
      <label>
        manifest.json
        <input ref={manifestInput} type="file" accept=".json,application/json" name="manifest" onChange={() => setMessage(null)} />
      </label>
      <label>
        model.onnx
        <input ref={onnxInput} type="file" accept=".onnx" name="onnx" onChange={() => setMessage(null)} />
      </label>
      <FocusKeepingButton ref={importButton} type="submit" unavailable={importFiles.isPending}>
        {importFiles.isPending ? 'Checking the model…' : 'Import model'}
      </FocusKeepingButton>
      {/* On the page before, so that an import's success is announced; a failure is by its alert. */}
      <StatusRegion>{said !== null && <p>{said}</p>}</StatusRegion>
      {differs && (
        <p>
          <ReplacePolicyQuestion
            differs={differs}
            onReplace={() => {
              // The question goes with the message: the focus waits on Import model, as for an import.
              importButton.current?.focus();
              setMessage(null);
              importFiles.mutate({ replaces: differs.manifest.tiers });
            }}
          />
        </p>
      )}
      {message && !message.ok && <ErrorState message={message.text} />}
    </form>
  );
}

/**
 * How far the scoring of every stored lead is, which an activation waits for: shown while one
 * runs (Model versions', Training's). `modelId`: only that model's scoring, when it is known. A
 * write-back's run of one CRM's leads is not an activation's.
 */
export function ActivationScoringProgress({ modelId }: { modelId?: string }) {
  const scoring = useJob('scoring');
  if (scoring?.state !== 'running' || scoring.source || (modelId !== undefined && scoring.modelId !== modelId)) return null;
  return <JobProgressBar label={`Scoring stored leads with ${scoring.modelId}`} done={scoring.done} total={scoring.total} />;
}

/** The models table's columns, Model to Actions: a row across the table spans them all. */
const MODEL_COLUMNS = 8;

interface ModelRowsProps {
  model: ModelVersion;
  /** The model Roll back goes to. */
  isPrevious: boolean;
  /** The days more than one listed model was trained on (`daysSharedBy`). */
  sharedDays: ReadonlySet<string>;
  /** The active model's features; null when they cannot be read. */
  activeFeatures: readonly FeatureName[] | null;
  /** Activate and Delete wait: a model change runs (this section's, or Training's). */
  changeBlocked: boolean;
  /** The id of the note saying why they wait, while Training's change runs. */
  waitNote: string | undefined;
  exporting: boolean;
  onActivate(): void;
  onExport(): void;
  onDelete(): void;
}

/**
 * A model's row, and under it, while Delete asks, the question in a row of its own across the
 * table: in the Actions column it was squeezed into a few words a line.
 */
function ModelRows({ model, isPrevious, sharedDays, activeFeatures, changeBlocked, waitNote, exporting, onActivate, onExport, onDelete }: ModelRowsProps) {
  const deletable = !model.active && model.origin !== 'bundled';
  const deletion = useConfirmation({
    label: 'Delete…',
    offered: deletable,
    ariaLabel: `Delete ${model.id}`,
    question: `Confirm deleting ${model.id}`,
    confirmLabel: `Yes, delete ${model.id}`,
    disabled: changeBlocked,
    onConfirm: onDelete,
    children: deleteWarning(model),
  });
  return (
    <>
      <tr data-model-id={model.id}>
        <th scope="row">
          {model.id}
          {model.active && <strong> (active)</strong>}
          {isPrevious && <strong> (previous: Roll back goes here)</strong>}
          {model.crmFieldsNote && (
            <p data-testid="crm-fields-note" style={{ fontWeight: 'normal', margin: '4px 0 0' }}>
              {model.crmFieldsNote}
            </p>
          )}
          {model.writtenBackFieldsNote && (
            <p data-testid="written-back-fields-note" style={{ fontWeight: 'normal', margin: '4px 0 0' }}>
              {model.writtenBackFieldsNote}
            </p>
          )}
          {model.newerTierPolicy !== undefined && (
            <p data-testid="newer-tier-policy" style={{ fontWeight: 'normal', margin: '4px 0 0' }}>
              {newerTierPolicyNote(model.newerTierPolicy)}
            </p>
          )}
        </th>
        <td>{ORIGIN_WORDS[model.origin]}</td>
        {model.damaged === undefined ? (
          <>
            <td>{trainedWords(model, sharedDays)}</td>
            <td>{learntFromWords(model)}</td>
            <td>{model.features && featuresWords(model.features, model.active, activeFeatures)}</td>
            <td>{model.tiers && describeTierPolicy(model.tiers)}</td>
            <td>{model.cvRocAuc?.toFixed(3) ?? 'not given'}</td>
          </>
        ) : model.madeByNewerVersion ? (
          <td colSpan={5} data-testid="newer-model">
            {newerModelNote(model)}
          </td>
        ) : (
          <td colSpan={5} data-testid="damaged-model">
            Its stored manifest cannot be read, so it cannot score: delete it, and import or train it again. ({model.damaged})
          </td>
        )}
        {/* A table cell, as high as its row and bordered as the others; its buttons are laid out inside it. */}
        <td>
          <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap' }}>
            {!model.active && model.damaged === undefined && (
              <button type="button" onClick={onActivate} disabled={changeBlocked} aria-describedby={waitNote} aria-label={`Activate ${model.id}`}>
                Activate
              </button>
            )}
            {(model.damaged === undefined || model.madeByNewerVersion) && (
              <FocusKeepingButton type="button" onClick={onExport} unavailable={exporting} aria-label={`Export ${model.id}`}>
                Export
              </FocusKeepingButton>
            )}
            {deletable && deletion.button}
          </div>
        </td>
      </tr>
      {deletable && deletion.question && (
        <tr data-testid="delete-question">
          {/* Marked at its left as the model's, whose row it follows: by a shadow, as a border would move the table's columns. */}
          <td colSpan={MODEL_COLUMNS} style={{ boxShadow: 'inset 3px 0 #b3261e', padding: '6px 8px 6px 11px' }}>
            {deletion.question}
          </td>
        </tr>
      )}
    </>
  );
}

/** Every model: activate, roll back, export, import, delete. */
export function VersionsSection() {
  const queryClient = useQueryClient();
  // Keyed by the active model too (read once it is known): the list shows a new active model as soon as it is active,
  // before its scoring ends. Meanwhile the list read before stays: "Loading" in its place would take away the
  // activation's status line and its focus.
  const activeId = useActiveModelId();
  const models = useQuery({
    queryKey: queryKeys.modelList(activeId),
    queryFn: listModelVersions,
    enabled: activeId !== undefined,
    placeholderData: keepPreviousData,
  });
  const previous = useQuery({ queryKey: queryKeys.previousModel(), queryFn: previousModelId });
  // The leads are read again when an activation's scoring job ends (App); an import or a delete leaves them as they were.
  // The stored-data counts (Data and privacy) count the models and their stored scores, which a delete takes with it.
  const invalidateModels = () =>
    Promise.all([queryKeys.models(), queryKeys.storedDataSummary()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  // Activate, roll back and delete change which models there are and which one scores: one at a time,
  // with Training's activation too (the one to land last would be the active one, whatever the other said).
  const change = useMutation({
    mutationKey: MODEL_CHANGE_MUTATION,
    mutationFn: async ({ run }: ModelChange) => run(),
    onSettled: invalidateModels,
  });
  const trainingActivationRuns = useModelChangeRunning() && !change.isPending;
  const changeBlocked = change.isPending || trainingActivationRuns;
  const waitNoteId = useId();
  const rankingNoteId = useId();
  const activatedThenReplaced = useReplacedSinceActive(change.isSuccess ? change.data.activated : undefined);
  /** Activate or roll back in the background, which tells CRM tabs and scores the stored leads with the model. */
  const switchModel = (asked: string, running: string, request: () => ReturnType<typeof background.rollBackModel>, done: (modelId: string) => string) =>
    change.mutate({
      running,
      trigger: document.activeElement,
      run: async () => {
        const reply = await replyOrReadBack(succeeded(request()), () => switchReadBack(asked));
        const { modelId } = reply;
        const listed = models.data?.find((model) => model.id === modelId);
        const notes = [listed?.crmFieldsNote, listed?.writtenBackFieldsNote].filter(Boolean).join(' ');
        return { said: activationDone(done(modelId), reply, notes), activated: modelId };
      },
    });
  // Its own mutation: an export during an activation must neither re-enable the buttons nor hide the activation's error.
  const exportModel = useMutation({ mutationFn: (model: ModelVersion) => download(queryClient, model) });
  if (models.isPending) return <Loading what="models" />;
  if (models.isError) return <ErrorState message={models.error.message} />;
  // A damaged model cannot be activated: a roll back to it could only fail.
  const previousModel = models.data.find((model) => model.id === previous.data && !model.active && model.damaged === undefined);
  const waitNote = trainingActivationRuns ? waitNoteId : undefined;
  const sharedDays = daysSharedBy(models.data);
  const activeFeatures = models.data.find((model) => model.active)?.features ?? null;
  return (
    <>
      {trainingActivationRuns && (
        <p id={waitNoteId}>Another section is changing the active model (a trained model's activation, or the demo data): activate, roll back and delete wait until it is done.</p>
      )}
      {previousModel && (
        <p>
          <button
            type="button"
            onClick={() => switchModel(previousModel.id, `Rolling back to ${previousModel.id}…`, () => background.rollBackModel({}), (modelId) => `Rolled back to ${modelId}`)}
            disabled={changeBlocked}
            aria-describedby={waitNote}
          >
            Roll back to {previousModel.id}
          </button>
        </p>
      )}
      <SidewaysScroll label="Models">
        <table className="versions">
          <caption className="visually-hidden">Models</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Origin</th>
              <th scope="col">Trained</th>
              <th scope="col">Learnt from</th>
              <th scope="col">Features</th>
              <th scope="col">Tier policy</th>
              {/* Its meaning, of models measured either way (cross-validated, or on one holdout), under the table: in the heading it took ten lines of a narrow column. */}
              <th scope="col" aria-describedby={rankingNoteId}>
                {RANKING_QUALITY}
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {models.data.map((model) => (
              <ModelRows
                key={model.id}
                model={model}
                isPrevious={model.id === previousModel?.id}
                sharedDays={sharedDays}
                activeFeatures={activeFeatures}
                changeBlocked={changeBlocked}
                waitNote={waitNote}
                exporting={exportModel.isPending}
                onActivate={() => switchModel(model.id, `Activating ${model.id}…`, () => background.activateModel({ modelId: model.id }), (modelId) => `${modelId} is active`)}
                onExport={() => exportModel.mutate(model)}
                onDelete={() =>
                  change.mutate({
                    running: `Deleting ${model.id}…`,
                    trigger: document.activeElement,
                    run: async () => {
                      await deleteModel(model.id);
                      return { said: `${model.id} was deleted, with its tier policy and its stored lead scores.` };
                    },
                  })
                }
              />
            ))}
          </tbody>
        </table>
      </SidewaysScroll>
      <p id={rankingNoteId} data-testid="ranking-quality-note">
        {RANKING_QUALITY}: {heldOutAucMeaning({})}.
      </p>
      <p data-testid="export-holds-crm-values">{EXPORT_HOLDS_CRM_VALUES}</p>
      {change.isPending && <ActionStatus text={change.variables.running} trigger={change.variables.trigger} />}
      {change.isSuccess && (
        <ActionStatus
          text={activatedThenReplaced ? `${change.data.activated} is no longer active: another model was activated since.` : change.data.said}
          trigger={change.variables.trigger}
        />
      )}
      {change.isError && <ActionStatus failed text={change.error.message} trigger={change.variables?.trigger ?? null} />}
      {change.isPending && <ActivationScoringProgress />}
      {exportModel.isError && <ErrorState message={`The model could not be exported: ${exportModel.error.message}`} />}
      <h3 style={{ fontSize: 15 }}>Import a model</h3>
      <p>
        A model trained elsewhere, or exported here: its manifest is checked against the schema and the engine runs it once before it is
        kept (a manifest with shape functions must match its model.onnx exactly). Exported files start with their model id: choose both
        files of one model. The files of a model installed already give it their tier policy, once you confirm replacing the one in force.
      </p>
      <p data-testid="team-rollout">{TEAM_ROLLOUT}</p>
      <ImportForm listed={models.data} onImported={invalidateModels} />
    </>
  );
}
