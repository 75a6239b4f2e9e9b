/**
 * Import leads from a CSV file (streamed, validated and stored by a Web Worker, with column
 * mapping suggestions), and export the active model's scores as a CSV file that is safe to
 * open in a spreadsheet.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { OutcomeValuesPicker } from '@/components/OutcomeValuesPicker';
import { outcomeMissing, StillOpenPicker, withValues } from './training/OutcomeFieldset';
import { FocusKeepingButton, useFocusBackWhenJobEnds } from '@/components/KeepFocus';
import { ErrorState, JobProgressBar, StatusRegion } from '@/components/StatusMessage';
import { CsvSeparatorSchema, leadsToExport, localeSeparator, scoresCsv, type CsvSeparator } from '@/lib/csv/export';
import { missingIdsWarning, type CsvMapping, type CsvReplacement } from '@/lib/csv/import';
import { mappingToStart } from '@/lib/csv/mapping';
import { leadSourceColumnWarnings, missingModelColumnsWarnings } from '@/lib/csv/model-columns';
import { CsvEventSchema, type CsvCancel, type CsvEvent, type CsvRequest } from '@/lib/csv/worker-protocol';
import { comparedAs, type OutcomeRule } from '@/lib/ml/outcome-rule';
import { listInWords } from '@/lib/list-in-words';
import { offeredOutcomeFields, oneValueOutcomeNotes, quotedValue } from '@/lib/ml/train/outcome-suggestions';
import { background } from '@/lib/messaging/client';
import { onEvent } from '@/lib/messaging/events';
import { succeeded } from '@/lib/messaging/reply';
import { db, demoLeadKeys } from '@/lib/db/db';
import { demoLeadMix } from '@/lib/db/source-history';
import { owedScoringModel, owedSourceScorings, readJob, standingFailure, type JobProgress } from '@/lib/jobs/progress';
import { activeModelId, manifestOf } from '@/lib/ml/model-store';
import { queryKeys } from '@/lib/query-keys';
import { useActiveManifest } from '@/lib/ui/hooks';
import { useLeaveWarning } from '@/lib/ui/use-leave-warning';
import { askWorkerOnce } from '@/lib/worker-once';
import { saveExportSeparator, savedExportSeparator } from '@/lib/settings/export-separator';
import { loadScoredLeads } from '@/lib/ui/stored-data';
import { plural } from '@/lib/presentation';
import { leadSourceWords } from '@/lib/segments';
import { keptLeadSourceLabels } from '@/lib/sync/store';
import { useWorkerJob } from './use-worker-job';
import { ConfirmButton } from './ConfirmedAction';

const createImportWorker = () => new Worker(new URL('../../../lib/csv/import-worker.ts', import.meta.url), { type: 'module' });
const WORKER_FAILED = { type: 'failed', error: 'The import worker stopped unexpectedly.' } as const;

/**
 * What importing `file` under `mapping` would do to the stored CSV leads, from a worker of its own
 * (`compareWithStoredImport`: it reads the file as the import does); stopped when `signal` aborts
 * (another file or mapping chosen, the page left).
 */
function compareInWorker(file: File, mapping: CsvMapping, signal: AbortSignal): Promise<CsvReplacement> {
  const read = (data: unknown) => {
    const parsed = CsvEventSchema.safeParse(data);
    const event = parsed.success ? parsed.data : WORKER_FAILED;
    if (event.type === 'failed') throw new Error(event.error);
    return event.type === 'compared' ? event.replaced : undefined; // progress until then
  };
  const request: CsvRequest = { type: 'compare', file, mapping };
  return askWorkerOnce(createImportWorker, request, { read, crashed: () => WORKER_FAILED.error, unreadable: WORKER_FAILED.error }, signal);
}

/** What a model loses with the held-out scores of `count` of the leads an import replaces, in words. */
function heldOutLostSentence(count: number, tense: 'will' | 'did'): string {
  const lose = tense === 'will' ? (count === 1 ? 'loses' : 'lose') : 'lost';
  return (
    `${plural(count, 'lead', 'leads')} a model trained here learnt from ${lose} ${count === 1 ? 'its' : 'their'} held-out ${count === 1 ? 'score' : 'scores'} ` +
    `(this file has no row of ${count === 1 ? 'it' : 'theirs'}: not the same record id and name, nor the same cells): the model no longer counts ${count === 1 ? 'it' : 'them'} ` +
    `among the leads it was trained on, and if ${count === 1 ? 'it is' : 'they are'} imported again, its tier preview, report and drift read ${count === 1 ? 'it' : 'them'} ` +
    'by its own scores, which flatter it, as it learnt from them.'
  );
}

/** What the form says the import would do to `stored` stored CSV leads, before Import. */
function replacementSentence(stored: number, { added, updated, removed, heldOutLost }: CsvReplacement): string {
  const fileDoes = `This file updates ${plural(updated, 'stored CSV lead', 'stored CSV leads')} and adds ${added.toLocaleString('en-US')}.`;
  const removes =
    removed === 0
      ? ' It removes none.'
      : ` ${removed.toLocaleString('en-US')} of the ${plural(stored, 'stored CSV lead is', 'stored CSV leads are')} not in this file (no row has ${removed === 1 ? 'its' : 'their'} record id): the import removes ${removed === 1 ? 'it' : 'them'}.`;
  return `${fileDoes}${removes}${heldOutLost > 0 ? ` ${heldOutLostSentence(heldOutLost, 'will')}` : ''}`;
}

/** Said beside Import when the stored import read an outcome and this mapping reads none. */
function outcomeLeftOutSentence(storedOutcome: OutcomeRule, columns: readonly string[]): string {
  const column = `"${storedOutcome.field}"`;
  const why = columns.includes(storedOutcome.field) ? `The stored import's outcome column ${column} is left out` : `This file has no column ${column}, the stored import's outcome column`;
  return `${why}: this file's leads would be stored with no outcome, and "Train on your history" would have none to learn from.`;
}

/** The absent values a sentence of `valuesAbsentSentences` names, the others counted: as many as the one-value notes beside it. */
const MOST_ABSENT_VALUES_NAMED = 3;

/**
 * The values `outcome` ticks that no row of the file has in its column (`fileValues`, the file's
 * own, compared as the rule compares them: trimmed, in any case), in words; none when all occur.
 * A rule carried over from the stored import may tick values this file does not have: its leads
 * would then count as not converted, which only the next data check would say.
 */
function valuesAbsentSentences(outcome: OutcomeRule, fileValues: readonly string[]): string[] {
  const inFile = new Set(fileValues.map(comparedAs));
  const absent = (values: readonly string[]) => values.filter((value) => !inFile.has(comparedAs(value)));
  const noRowHas = (values: readonly string[]) => `No row of this file has ${listInWords(values.map(quotedValue), MOST_ABSENT_VALUES_NAMED, 'or')} in "${outcome.field}"`;
  const convertedAbsent = absent(outcome.positiveValues);
  const openAbsent = absent(outcome.openValues ?? []);
  return [
    ...(convertedAbsent.length === 0
      ? []
      : [`${noRowHas(convertedAbsent)}${convertedAbsent.length === outcome.positiveValues.length ? ': no lead would count as converted.' : ', ticked as converted.'}`]),
    ...(openAbsent.length === 0 ? [] : [`${noRowHas(openAbsent)}, ticked as still open.`]),
  ];
}

/**
 * The columns an import under `mapping` reads, by role: each changes the leads it would store (their
 * keys, names, fields as read), so a comparison with the stored leads holds for these; the values ticked change none.
 */
const columnsCompared = (mapping: CsvMapping) => [
  mapping.idColumn,
  mapping.nameColumn,
  mapping.createdColumn,
  mapping.outcome?.field ?? null,
  mapping.ownerColumn ?? null,
  mapping.leadSourceColumn ?? null,
];

/** What tells one comparison from another: the file chosen (by its number) and the columns read (`columnsCompared`). */
const comparisonKey = (fileNumber: number, mapping: CsvMapping) => JSON.stringify([fileNumber, columnsCompared(mapping)]);

type ColumnRole = 'idColumn' | 'nameColumn' | 'createdColumn' | 'ownerColumn' | 'leadSourceColumn';
const ROLES: { role: ColumnRole; label: string }[] = [
  { role: 'idColumn', label: 'Record id' },
  { role: 'nameColumn', label: 'Name' },
  { role: 'createdColumn', label: 'Created date' },
  // As the side panel's filters name them.
  { role: 'ownerColumn', label: 'Owner' },
  { role: 'leadSourceColumn', label: 'Lead source' },
];

export function CsvImportSection() {
  const queryClient = useQueryClient();
  const job = useWorkerJob<CsvRequest, CsvEvent>(createImportWorker, CsvEventSchema, WORKER_FAILED);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Extract<CsvEvent, { type: 'preview' }> | null>(null);
  const [mapping, setMapping] = useState<CsvMapping | null>(null);
  /** Each file chosen is numbered: its comparison with the stored leads is another file's once another is chosen. */
  const [fileNumber, setFileNumber] = useState(0);
  /** The stored import as the preview read it, or as the last import from this page left it. */
  const [stored, setStored] = useState<{ leads: number; outcome: OutcomeRule | null } | null>(null);
  /** The form started from the stored import's outcome rule. */
  const [outcomeCarried, setOutcomeCarried] = useState(false);
  /** The mapping of the import running (or last run): its outcome rule is the stored import's once it is imported. */
  const importedMapping = useRef<CsvMapping | null>(null);
  /** The file and columns (`comparisonKey`) of the import running (or last run); null once stored leads were deleted since. */
  const [importedKey, setImportedKey] = useState<string | null>(null);
  /** Cancel was pressed during the running (or last) import. */
  const [cancelAsked, setCancelAsked] = useState(false);
  const finished = job.state.kind === 'finished' ? job.state.event : null;
  const previewing = job.state.kind === 'running' && job.state.request === 'preview' ? job.state : null;
  const importing = job.state.kind === 'running' && job.state.request === 'import' ? job.state : null;
  const activeManifest = useActiveManifest().data;
  // Closing or reloading the page ends the worker: the import would stop half read, nothing of it stored.
  useLeaveWarning(importing !== null);
  // Import stays on the page, unavailable, while it runs; Cancel import goes with the import, and the focus it had comes back to Import.
  const importButton = useRef<HTMLButtonElement>(null);
  useFocusBackWhenJobEnds(importing !== null, importButton);
  // Confirmed, the question went with its buttons: the focus goes to Import, which stays while the import runs.
  useEffect(() => {
    if (importing !== null && (document.activeElement === null || document.activeElement === document.body)) importButton.current?.focus();
  }, [importing !== null]); // eslint-disable-line react-hooks/exhaustive-deps -- on the import's start alone
  const importBlockedId = useId();
  const replacementId = useId();
  const outcomeLeftOutId = useId();
  const oneValueId = useId();
  const valuesAbsentId = useId();
  // The commit owed their scoring with the active model (read by the background: another tab may have
  // activated one since this page read it): asked now, unless start-up or the hourly check asked first.
  const scoreImported = useMutation({
    mutationFn: async () => {
      await succeeded(background.scoreStoredLeads({ source: 'csv' }));
    },
    // The imported leads are stored already: after a success they are read again when the scoring
    // job ends (App); a failure may have started no job.
    onError: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });

  // Stored leads deleted (a purge, demo leads removed): a comparison shown may name leads gone; after a purge, none is stored.
  useEffect(() => {
    const controller = new AbortController();
    onEvent(
      'storedDataDeleted',
      ({ everything }) => {
        // Leads deleted: the stored import may lack some this file would add back, so it is no longer the file just imported.
        setImportedKey(null);
        if (!everything) return void queryClient.resetQueries({ queryKey: queryKeys.csvReplacements() });
        // Nothing stored is left to compare with: no reading of the file again.
        setStored((kept) => kept && { leads: 0, outcome: null });
        queryClient.removeQueries({ queryKey: queryKeys.csvReplacements() });
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [queryClient]);

  useEffect(() => {
    if (finished?.type === 'preview') {
      const start = mappingToStart(finished.suggestion, finished.columns, finished.storedImport.outcome);
      setPreview(finished);
      setMapping(start.mapping);
      setOutcomeCarried(start.carried);
      setStored(finished.storedImport);
    }
    if (finished?.type === 'imported') {
      // This file is the stored import now: another file, or this one under other columns, compares with it.
      setStored({ leads: finished.rows, outcome: importedMapping.current?.outcome ?? null });
      // Its comparisons were with the leads it replaced.
      void queryClient.resetQueries({ queryKey: queryKeys.csvReplacements() });
      // New leads: score them with the active model (side panel, export).
      scoreImported.mutate();
      // Export, held back while no lead was stored, is offered again (until they are scored it says so).
      void queryClient.invalidateQueries({ queryKey: queryKeys.demoLeadMix() });
    }
  }, [finished, scoreImported.mutate, queryClient]);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setPreview(null);
    setMapping(null);
    setStored(null);
    setOutcomeCarried(false);
    setFileNumber((number) => number + 1);
    setCancelAsked(false);
    // No file any more: what the last one's check or import said is about a file no longer chosen.
    if (chosen) job.start({ type: 'preview', file: chosen });
    else job.reset();
  };

  const startImport = (chosen: File, chosenMapping: CsvMapping) => {
    setCancelAsked(false);
    importedMapping.current = chosenMapping;
    setImportedKey(comparisonKey(fileNumber, chosenMapping));
    job.start({ type: 'import', file: chosen, mapping: chosenMapping });
  };

  // Asked, not terminated: only the worker knows whether its commit has begun, and it answers
  // `cancelled` (nothing stored) or `imported` (the new leads are stored, and get scored).
  const cancelImport = () => {
    job.send({ type: 'cancel' } satisfies CsvCancel);
    setCancelAsked(true);
  };

  const outcome = mapping?.outcome ?? null;
  const idColumn = mapping?.idColumn ?? null;
  // Own keys only: zod leaves out a column named "__proto__", and the lookup would then read Object's prototype, not a count.
  const missingIds = preview && idColumn !== null && Object.hasOwn(preview.missingCells, idColumn) ? preview.missingCells[idColumn] : 0;
  // Said before the import, which goes ahead either way: the file's own notes, the rows the id column chosen leaves without a record id (in the import's words), and the active model's columns it lacks (its leads are scored after the import).
  const previewWarnings = preview
    ? [
        ...preview.warnings,
        ...missingIdsWarning(idColumn, missingIds),
        ...(activeManifest
          ? [...missingModelColumnsWarnings(activeManifest.features, preview.columns), ...leadSourceColumnWarnings(activeManifest.features, preview.columns, mapping?.leadSourceColumn)]
          : []),
      ]
    : [];
  // An outcome column with no value ticked as converted: every lead would be stored as not converted. Said beside Import, in the training form's words.
  const outcomeValuesMissing = outcome !== null && outcome.positiveValues.length === 0 ? outcomeMissing(outcome) : null;
  const comparedWith = mapping && columnsCompared(mapping);
  const storedLeads = stored?.leads ?? 0;
  // Not of the file just imported, under the columns it was imported by, with its result: it is the stored import, and
  // compared with itself it would say it "updates" every lead the result says it added. Another file or column compares with it.
  const justImported = finished?.type === 'imported' && mapping !== null && comparisonKey(fileNumber, mapping) === importedKey;
  const compares = storedLeads > 0 && !justImported;
  // Not while an import runs, which changes the stored leads.
  const comparison = useQuery({
    queryKey: queryKeys.csvReplacement(fileNumber, comparedWith),
    queryFn: ({ signal }) => compareInWorker(file!, mapping!, signal),
    enabled: file !== null && mapping !== null && compares && importing === null,
    // A whole reading of the file: asked again only when the file, its mapping or the stored leads change.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    retry: false,
  });
  const comparing = compares && comparison.data === undefined && !comparison.isError;
  const replacement = compares ? comparison.data : undefined;
  // What Import costs, asked first: stored leads removed, held-out scores lost, or not known (the comparison failed).
  const askFirst = compares && (comparison.isError || (replacement !== undefined && (replacement.removed > 0 || replacement.heldOutLost > 0)));
  const outcomeLeftOut = stored?.outcome && preview && mapping && mapping.outcome === null ? outcomeLeftOutSentence(stored.outcome, preview.columns) : null;
  // Said, not held back: an admin may import such a file on purpose. Only where the file's values of the column are known (few of them).
  const valuesAbsent =
    outcome && preview && Object.hasOwn(preview.outcomeValues, outcome.field) ? valuesAbsentSentences(outcome, preview.outcomeValues[outcome.field]).join(' ') : '';
  const importDescribedBy =
    [outcomeValuesMissing && importBlockedId, comparing && replacementId, outcomeLeftOut && outcomeLeftOutId, valuesAbsent && valuesAbsentId].filter(Boolean).join(' ') || undefined;
  // Columns that look like an outcome and are not offered as one (one value only), said beside the Outcome list.
  const oneValueNotes = preview ? oneValueOutcomeNotes(preview.outcomeValues, outcome?.field).join(' ') : '';
  // The preview's, shown above still, are not said twice.
  const importWarnings = finished?.type === 'imported' ? finished.warnings.filter((warning) => !previewWarnings.includes(warning)) : [];

  return (
    <>
      <h3>Import leads from CSV</h3>
      <p>
        One row per lead, a header row, UTF-8. The file is read and checked as it streams (the same checks as training uses); nothing leaves
        your browser. A new import replaces the previous one once the whole file has been checked; if it fails or is cancelled, the
        previous one stays as it was.
      </p>
      {/* Not while an import runs: another file would end its worker, which would stop unannounced, maybe mid-commit. */}
      <label>
        CSV file{' '}
        <input
          type="file"
          accept=".csv,text/csv"
          disabled={importing !== null}
          onChange={(event) => {
            const chosen = event.target.files?.[0] ?? null;
            // Chrome fires no change when the same file is chosen again: emptied, the input reads the file again once it is fixed or exported anew.
            event.target.value = '';
            choose(chosen);
          }}
        />
      </label>
      {/* The input, emptied, no longer names it. */}
      {file && <p data-testid="csv-file-name">File: {file.name}</p>}
      {/* The whole file: an outcome column sorted by its values may show its first "converted" on its last row. */}
      {previewing && <JobProgressBar label="Reading rows" done={previewing.progress?.rows ?? 0} total={null} fraction={previewing.progress?.fraction ?? 0} />}

      {preview && mapping && (
        <fieldset>
          <legend>Columns ({preview.columns.length})</legend>
          {ROLES.map(({ role, label }) => (
            <label key={role} style={{ display: 'block' }}>
              {label}{' '}
              <select value={mapping[role] ?? ''} onChange={(event) => setMapping({ ...mapping, [role]: event.target.value || null })}>
                <option value="">(none)</option>
                {preview.columns.map((column) => (
                  <option key={column} value={column}>
                    {column}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <label style={{ display: 'block' }}>
            Outcome{' '}
            <select
              value={mapping.outcome?.field ?? ''}
              // Another column starts with nothing ticked: the values ticked were the last column's.
              onChange={(event) => setMapping({ ...mapping, outcome: event.target.value ? { field: event.target.value, positiveValues: [] } : null })}
              aria-describedby={oneValueNotes ? oneValueId : undefined}
            >
              <option value="">(not known)</option>
              {/* The column chosen too (the stored import's, carried over), whatever its values: the form shows the column it uses. */}
              {offeredOutcomeFields(preview.outcomeValues, outcome?.field).map((column) => (
                <option key={column} value={column}>
                  {column}
                </option>
              ))}
            </select>
          </label>
          {oneValueNotes && (
            <p id={oneValueId} data-testid="csv-outcome-one-value">
              {oneValueNotes}
            </p>
          )}
          {outcomeCarried && stored?.outcome && outcome?.field === stored.outcome.field && (
            <p data-testid="csv-outcome-carried">
              Outcome column, converted and still-open values as the stored import read them: this file has its column "{stored.outcome.field}".
            </p>
          )}
          {outcome && (
            <>
              <OutcomeValuesPicker
                sampleValues={preview.outcomeValues[outcome.field] ?? []}
                chosen={outcome.positiveValues}
                onChange={(positiveValues) => setMapping({ ...mapping, outcome: withValues(outcome, positiveValues, outcome.openValues ?? []) })}
              />
              {/* Else every value not ticked as converted is stored as "not converted": open leads would count as lost. */}
              <StillOpenPicker outcome={outcome} values={preview.outcomeValues[outcome.field] ?? []} onChange={(next) => setMapping({ ...mapping, outcome: next })} />
            </>
          )}
          {valuesAbsent && (
            <p id={valuesAbsentId} data-testid="csv-outcome-values-absent">
              {valuesAbsent}
            </p>
          )}
          {previewWarnings.length > 0 && (
            <ul data-testid="csv-preview-warnings">
              {previewWarnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          )}
          {/* Said before Import: the import replaces the stored CSV leads whole. */}
          {compares && (
            <p id={replacementId} data-testid="csv-replacement">
              {comparing && `Comparing this file with the ${plural(storedLeads, 'stored CSV lead', 'stored CSV leads')}…`}
              {replacement && replacementSentence(storedLeads, replacement)}
              {comparison.isError &&
                `Could not tell which of the ${plural(storedLeads, 'stored CSV lead', 'stored CSV leads')} this file keeps (${comparison.error.message}): the import replaces them all with this file's rows.`}
            </p>
          )}
          {outcomeLeftOut && (
            <p id={outcomeLeftOutId} data-testid="csv-outcome-left-out">
              {outcomeLeftOut}
            </p>
          )}
          {askFirst && file && job.state.kind !== 'running' && outcomeValuesMissing === null ? (
            <ConfirmButton
              label="Import…"
              question="Confirm replacing the stored CSV leads"
              confirmLabel={replacement && replacement.removed > 0 ? `Import and remove ${plural(replacement.removed, 'lead', 'leads')}` : 'Import all the same'}
              disabled={false}
              onConfirm={() => startImport(file, mapping)}
            >
              {replacement ? replacementSentence(storedLeads, replacement) : `The import replaces the ${plural(storedLeads, 'stored CSV lead', 'stored CSV leads')} with this file's rows.`}
              {outcomeLeftOut && ` ${outcomeLeftOut}`}
              {valuesAbsent && ` ${valuesAbsent}`}
            </ConfirmButton>
          ) : (
            <FocusKeepingButton
              ref={importButton}
              type="button"
              unavailable={!file || job.state.kind === 'running' || outcomeValuesMissing !== null || comparing}
              onClick={() => file && startImport(file, mapping)}
              aria-describedby={importDescribedBy}
            >
              Import
            </FocusKeepingButton>
          )}
          {outcomeValuesMissing && (
            <span id={importBlockedId} data-testid="import-outcome-missing">
              {' '}
              {outcomeValuesMissing}
            </span>
          )}
        </fieldset>
      )}

      {importing && (
        <div data-testid="import-progress">
          <JobProgressBar label="Importing rows" done={importing.progress?.rows ?? 0} total={null} fraction={importing.progress?.fraction ?? 0} />
          <FocusKeepingButton type="button" onClick={cancelImport} unavailable={cancelAsked}>
            {cancelAsked ? 'Cancelling…' : 'Cancel import'}
          </FocusKeepingButton>
        </div>
      )}
      {/* On the page before, so that the file's reading, the import and how it ended are announced; the counts change with every block read and are read in place. */}
      <StatusRegion>
        {(previewing || importing) && <p className="visually-hidden">{previewing ? 'Reading rows…' : 'Importing rows…'}</p>}
        {finished?.type === 'cancelled' && (
          // Not asked here: "Purge everything" (this tab or another) stopped it, and deletes the previous import too.
          <p>
            {cancelAsked
              ? 'Import cancelled: nothing was imported, and the previous import is unchanged.'
              : 'The import stopped because "Purge everything" is deleting all stored data: nothing of this file was imported.'}
          </p>
        )}
        {finished?.type === 'imported' && (
          <>
            <p data-testid="csv-imported">
              {importedSentence(finished.rows, finished.replaced)} Train on them under "Train on your history".
            </p>
            {finished.withoutOutcome > 0 && (
              <p data-testid="csv-without-outcome">
                {plural(finished.withoutOutcome, 'lead has', 'leads have')} no outcome yet (still open, or the outcome cell is empty): stored without one,
                {finished.withoutOutcome === 1 ? ' it counts' : ' they count'} neither as converted nor as not converted.
              </p>
            )}
            {cancelAsked && <p>Cancel came too late to stop it: the new leads were already being saved.</p>}
          </>
        )}
      </StatusRegion>
      {finished?.type === 'imported' && (
        <>
          {finished.dayFirstColumns.length > 0 && (
            <p data-testid="csv-day-first">
              Dates read day first (31/12/2025 is 31 December) in {finished.dayFirstColumns.map((column) => `"${column}"`).join(', ')}: the file
              writes them that way.
            </p>
          )}
          {finished.commaDecimalColumns.length > 0 && (
            <p data-testid="csv-comma-decimal">
              Numbers read with decimal commas (1.234,5 is 1234.5) in {finished.commaDecimalColumns.map((column) => `"${column}"`).join(', ')}: the
              file writes them that way.
            </p>
          )}
          {scoreImported.isError && <ErrorState message={`The leads were imported, but could not be scored: ${scoreImported.error.message}`} />}
          {importWarnings.length > 0 && (
            <ul data-testid="csv-import-warnings">
              {importWarnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          )}
        </>
      )}
      {finished?.type === 'failed' && (
        // With the mapping form showing, the failure was an import's: say that it changed nothing.
        <ErrorState message={preview ? `Nothing was imported, and the previous import is unchanged. ${finished.error}` : `Nothing was imported. ${finished.error}`} />
      )}

      <ExportScores importScoring={scoreImported.isPending || scoreImported.isError ? { askedAt: scoreImported.submittedAt, error: scoreImported.error?.message ?? null } : null} />
    </>
  );
}

/** What an import did, lead by lead key, to the stored CSV leads it replaced. */
function importedSentence(rows: number, { added, updated, removed, heldOutLost }: CsvReplacement): string {
  const counts = `${added.toLocaleString('en-US')} added, ${updated.toLocaleString('en-US')} updated, ${removed.toLocaleString('en-US')} removed`;
  const removedWhy = removed > 0 ? ` (stored CSV ${removed === 1 ? 'lead' : 'leads'} not in this file)` : '';
  return `Imported ${plural(rows, 'lead', 'leads')}: ${counts}${removedWhy}.${heldOutLost > 0 ? ` ${heldOutLostSentence(heldOutLost, 'did')}` : ''}`;
}

/** The scoring this page asked for after an import, while it is not over or once it failed. */
interface ImportScoring {
  /** When it was asked (`Date.now()`), to tell it from the scoring job's runs. */
  askedAt: number;
  /** Why it failed; null while it is not over. */
  error: string | null;
}

/**
 * Why stored leads have no score from the active model: `unread` (it reads none of their fields)
 * only when its last scoring finished; a scoring that failed or is still to come leaves leads it
 * can read unscored too, and an admin told otherwise would rename columns or retrain for nothing.
 */
type Unscored = { why: 'failed'; error: string | undefined } | { why: 'waiting' } | { why: 'unread' } | { why: 'unknown' };

function whyUnscored(modelId: string, job: JobProgress | null, owed: { model: string | null; sources: number }, importScoring: ImportScoring | null): Unscored {
  // Asked after the scoring job's last run began: its own run has not begun (it waits for its turn), or it failed before one did.
  if (importScoring && (job === null || job.startedAt < importScoring.askedAt)) {
    return importScoring.error === null ? { why: 'waiting' } : { why: 'failed', error: importScoring.error };
  }
  // Activated, its scoring of every lead not yet run.
  if (owed.model === modelId) return { why: 'waiting' };
  // A failed run over every lead, or over the CSV leads, stands until one succeeds (later one-CRM runs keep it), as the side panel tells it.
  const failure = job && [standingFailure(job), job.state === 'failed' ? job : undefined].find((failed) => failed?.modelId === modelId);
  // The engine's message when it failed on some leads; why the run stopped otherwise.
  if (failure) return { why: 'failed', error: failure.failedItems?.error ?? failure.error };
  // Leads imported or synced, their scoring not yet run: asked by another page or the hourly check, or not yet (the import's page closed first).
  if (owed.sources > 0) return { why: 'waiting' };
  return job?.modelId === modelId && job.state === 'done' ? { why: 'unread' } : { why: 'unknown' };
}

/** What the export says of the `left` stored leads it holds no score of. */
function unscoredSentence(left: number, unscored: Unscored): string {
  switch (unscored.why) {
    case 'failed':
      return `${plural(left, 'lead is', 'leads are')} not scored yet (the last scoring failed${unscored.error ? `: ${unscored.error}` : ''}).`;
    case 'waiting':
      return `${plural(left, 'lead is', 'leads are')} waiting to be scored: export again once ${left === 1 ? 'it is' : 'they are'}.`;
    case 'unread':
      return "the active model reads none of the others' fields, so they have no score.";
    case 'unknown':
      return `${plural(left, 'lead has', 'leads have')} no score from the active model yet.`;
  }
}

/** How many leads are stored and which are Demo mode's, read together. */
const storedLeadMix = () =>
  db.transaction('r', db.leads, async () => {
    const [total, demoKeys] = await Promise.all([db.leads.count(), demoLeadKeys()]);
    return { total, demoKeys };
  });

/** Said beside Export, held back while no lead is stored: not an error (a new install has none), but where leads come from. */
const NO_LEADS_TO_EXPORT = 'No leads are stored yet, so there are no scores to export: sync a CRM under Sync, import a CSV file above, or load the demo data under Demo mode.';

/** The separators offered beside Export, as a spreadsheet user knows them. */
const SEPARATOR_CHOICES: { separator: CsvSeparator; label: string }[] = [
  { separator: ',', label: 'comma (,), numbers as 0.73' },
  { separator: ';', label: 'semicolon (;), numbers as 0,73' },
];

/**
 * The active model's scores of every stored lead (`leadsToExport`: Demo mode's left out beside your
 * own), downloaded as a CSV file. Held back while no lead is stored, saying where leads come from.
 * Its separator is the browser language's until the admin chooses the other, which is kept.
 */
function ExportScores({ importScoring }: { importScoring: ImportScoring | null }) {
  const queryClient = useQueryClient();
  // Read again as the stored leads change (a sync's or a scoring's end, Demo mode, a purge, an import).
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  const noLeadStored = mix.data !== undefined && mix.data.demo + mix.data.own === 0;
  const noLeadsId = useId();
  const savedSeparator = useQuery({ queryKey: queryKeys.exportSeparator(), queryFn: savedExportSeparator });
  const saveSeparator = useMutation({ mutationFn: saveExportSeparator });
  // Made on this page: it applies even if it could not be kept.
  const [chosenSeparator, setChosenSeparator] = useState<CsvSeparator | null>(null);
  const separator = chosenSeparator ?? savedSeparator.data ?? localeSeparator(navigator.language);
  const exportScores = useMutation({
    mutationFn: async (fileSeparator: CsvSeparator) => {
      const modelId = await activeModelId();
      // Mid-way, its file would hold only the leads scored so far (an activation or an import scores them after).
      const [scoring, owedModel, owedSources] = await Promise.all([readJob('scoring'), owedScoringModel(), owedSourceScorings()]);
      if (scoring?.state === 'running' && scoring.modelId === modelId) {
        throw new Error(`The active model is still scoring the stored leads (${scoring.done.toLocaleString('en-US')} of ${scoring.total.toLocaleString('en-US')}): export once it is done.`);
      }
      // Its tier thresholds as the policy set them, which the stored tiers are set by: each probability is written to read on its tier's side of them.
      const [scored, stored, manifest, portalSourceLabels] = await Promise.all([loadScoredLeads(modelId), storedLeadMix(), manifestOf(modelId), keptLeadSourceLabels(db)]);
      const { rows, demoLeftOut } = leadsToExport(scored.rows, stored);
      // None stored (deleted since the page counted them, or not counted yet): counted again, Export is held back, saying why.
      if (stored.total === 0) {
        await queryClient.invalidateQueries({ queryKey: queryKeys.demoLeadMix() });
        return null;
      }
      if (rows.length === 0) {
        throw new Error(
          demoLeftOut > 0
            ? `No lead of your own has a score from the active model yet: Demo mode's ${plural(demoLeftOut, 'demo lead is', 'demo leads are')} not exported beside your own.`
            : 'No stored lead has a score from the active model yet.',
        );
      }
      const leadSourceWord = leadSourceWords(manifest, portalSourceLabels);
      const url = URL.createObjectURL(await scoresCsv(rows, { locale: navigator.language, tiers: manifest.tiers, separator: fileSeparator, leadSourceWord }));
      const link = Object.assign(document.createElement('a'), { href: url, download: `leadlens-scores-${modelId}.csv` });
      link.click();
      // The download has started from the object URL; release it after this task.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      // The demo leads left out are no stored leads the export misses.
      return { exported: rows.length, stored: stored.total - demoLeftOut, demoLeftOut, unscored: whyUnscored(modelId, scoring, { model: owedModel, sources: owedSources.length }, importScoring) };
    },
  });
  return (
    <>
      <h3>Export scores</h3>
      <p>
        Every stored lead's score, tier and top reason under the active model; Demo mode's made-up leads are left out once you have leads of
        your own. Cells that a spreadsheet would run as a formula are escaped. Columns are separated as a spreadsheet in your browser's
        language expects (semicolons and decimal commas in German, French, Spanish…; commas and decimal points in English): if your
        spreadsheet opens the file as a single column, choose the other separator.
      </p>
      <label>
        Separator{' '}
        <select
          value={separator}
          onChange={(event) => {
            const chosen = CsvSeparatorSchema.parse(event.target.value);
            setChosenSeparator(chosen);
            saveSeparator.mutate(chosen);
          }}
        >
          {SEPARATOR_CHOICES.map((choice) => (
            <option key={choice.separator} value={choice.separator}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>{' '}
      <FocusKeepingButton
        type="button"
        onClick={() => exportScores.mutate(separator)}
        unavailable={exportScores.isPending || noLeadStored}
        aria-describedby={noLeadStored ? noLeadsId : undefined}
      >
        Export scores as CSV
      </FocusKeepingButton>
      {noLeadStored && (
        <span id={noLeadsId} data-testid="export-no-leads">
          {' '}
          {NO_LEADS_TO_EXPORT}
        </span>
      )}
      <StatusRegion>
        {/* Pressed as the last leads went: the reason beside the button, held back now, appears unannounced, so it is said here too. */}
        {exportScores.data === null && noLeadStored && <p className="visually-hidden">{NO_LEADS_TO_EXPORT}</p>}
        {exportScores.data && (
          <p>
            {exportScores.data.exported === exportScores.data.stored
              ? `Exported ${plural(exportScores.data.exported, 'lead', 'leads')}.`
              : `Exported ${exportScores.data.exported.toLocaleString('en-US')} of ${plural(exportScores.data.stored, 'stored lead', 'stored leads')}: ${unscoredSentence(exportScores.data.stored - exportScores.data.exported, exportScores.data.unscored)}`}
            {exportScores.data.demoLeftOut > 0 &&
              ` ${plural(exportScores.data.demoLeftOut, 'demo lead was', 'demo leads were')} left out: Demo mode's made-up leads are not exported beside your own.`}
          </p>
        )}
      </StatusRegion>
      {exportScores.isError && <ErrorState message={exportScores.error.message} />}
      {saveSeparator.isError && <ErrorState message={`The separator chosen could not be kept for the next visit: ${saveSeparator.error.message}`} />}
    </>
  );
}
