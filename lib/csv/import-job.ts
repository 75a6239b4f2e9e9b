/**
 * One job of the CSV import worker (import-worker.ts), apart from the worker's messaging so it
 * can be tested: a preview or an import of the request's file, answered with events.
 */
import { activeManifest } from '../ml/model-store';
import { TrainingDataError } from '../ml/train/errors';
import { outcomeCandidates, withoutWrittenBack } from '../ml/train/outcome-suggestions';
import { writtenBackFields } from '../db/written-back-fields';
import { fileText } from './file-text';
import { importCsv, previewCsv, type ImportProgress, type LeadSink } from './import';
import { suggestCsvMapping } from './mapping';
import { compareWithStoredImport, CSV_IMPORT_LOCK, storedImport } from './stored';
import type { CsvEvent, CsvRequest } from './worker-protocol';

type Post = (event: CsvEvent) => void;

/**
 * Posts a job's progress, which never goes back: once an import finds it must read the file again
 * (more `reads`), the work left fills the part of the bar left, and the rows shown stay those of
 * the first reading until the second passes them. Characters approximate bytes closely enough for
 * a progress bar.
 */
function progressPoster(post: Post, fileSize: number) {
  let shown = { rows: 0, fraction: 0 };
  // The bar from `base` on shows the readings' fraction from `from` on.
  let reads: number | null = null;
  let base = 0;
  let from = 0;
  return (progress: ImportProgress) => {
    const fraction = Math.min(1, progress.chars / Math.max(progress.reads * fileSize, 1));
    if (reads !== null && progress.reads !== reads) [base, from] = [shown.fraction, fraction];
    reads = progress.reads;
    const onBar = from < 1 ? base + ((1 - base) * (fraction - from)) / (1 - from) : 1;
    shown = { rows: Math.max(shown.rows, progress.rows), fraction: Math.min(1, Math.max(shown.fraction, onBar)) };
    post({ type: 'progress', ...shown });
  };
}

async function answer(request: CsvRequest, post: Post, sink: LeadSink, cancel: AbortSignal | undefined): Promise<CsvEvent> {
  const { file } = request;
  const openFile = () => fileText(file);
  const postProgress = progressPoster(post, file.size);
  if (request.type === 'preview') {
    const { columns, values, missingCells, warnings } = await previewCsv(openFile, { onProgress: postProgress });
    // A CRM's export holds the fields LeadLens wrote its scores to: no outcome (`withoutWrittenBack`).
    const outcomeValues = withoutWrittenBack(outcomeCandidates(values), await writtenBackFields('csv'));
    // Every column's count, not only the suggested id column's: the mapping form warns of the id column the admin chooses.
    return { type: 'preview', columns, outcomeValues, suggestion: suggestCsvMapping(columns, outcomeValues), missingCells, warnings, storedImport: await storedImport() };
  }
  if (request.type === 'compare') {
    return { type: 'compared', replaced: await compareWithStoredImport(openFile, request.mapping, { signal: cancel, onProgress: postProgress }) };
  }
  // The active model's features: the import says which of the columns they read have filled cells it reads as missing.
  // A model that cannot score (made by a newer LeadLens) says so on its own pages: the import goes ahead unchecked.
  const features = await activeManifest().then(({ features }) => features, () => []);
  try {
    // One import at a time, whichever tab started it: they share one staging table.
    const result = await navigator.locks.request(CSV_IMPORT_LOCK, { ifAvailable: true }, (lock) =>
      lock
        ? importCsv(openFile, request.mapping, sink, { signal: cancel, onProgress: postProgress, features })
        : null,
    );
    if (result === null) throw new TrainingDataError('Another CSV import, or a purge, is running (perhaps in another LeadLens tab). Import this file once it has finished.');
    return { type: 'imported', ...result };
  } catch (error) {
    // Stopped before the commit (importCsv dropped what it had staged): nothing of the file is stored.
    if (cancel?.aborted) return { type: 'cancelled' };
    throw error;
  }
}

/**
 * Answers `request` with its events: progress, then a preview; or progress, then `imported`, `cancelled` (when
 * `cancel` aborts before the import's commit; once the commit has begun the import completes) or
 * `failed`.
 */
export async function answerCsvRequest(request: CsvRequest, post: Post, sink: LeadSink, cancel?: AbortSignal): Promise<void> {
  const event = await answer(request, post, sink, cancel).catch(
    (error: unknown): CsvEvent => ({
      type: 'failed',
      error: error instanceof TrainingDataError ? error.message : `The import failed: ${error instanceof Error ? error.message : String(error)}`,
    }),
  );
  post(event);
}
