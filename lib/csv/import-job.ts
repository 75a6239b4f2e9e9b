/**
 * One job of the CSV import worker (import-worker.ts), apart from the worker's messaging so it
 * can be tested: a preview or an import of the request's file, answered with events.
 */
import { TrainingDataError } from '../ml/train/dataset';
import { outcomeCandidates } from '../ml/train/outcome-suggestions';
import { fileText } from './file-text';
import { importCsv, previewCsv, type ImportProgress, type LeadSink } from './import';
import { suggestCsvMapping } from './mapping';
import { compareWithStoredImport, CSV_IMPORT_LOCK, storedImport } from './stored';
import type { CsvEvent, CsvRequest } from './worker-protocol';

type Post = (event: CsvEvent) => void;

async function answer(request: CsvRequest, post: Post, sink: LeadSink, cancel: AbortSignal | undefined): Promise<CsvEvent> {
  const { file } = request;
  const openFile = () => fileText(file);
  /** Characters approximate bytes closely enough for a progress bar. */
  const postProgress = ({ rows, chars, reads }: ImportProgress) => post({ type: 'progress', rows, fraction: Math.min(1, chars / Math.max(reads * file.size, 1)) });
  if (request.type === 'preview') {
    const { columns, values, missingCells, warnings } = await previewCsv(openFile, { onProgress: postProgress });
    const outcomeValues = outcomeCandidates(values);
    // Every column's count, not only the suggested id column's: the mapping form warns of the id column the admin chooses.
    return { type: 'preview', columns, outcomeValues, suggestion: suggestCsvMapping(columns, outcomeValues), missingCells, warnings, storedImport: await storedImport() };
  }
  if (request.type === 'compare') {
    return { type: 'compared', replaced: await compareWithStoredImport(openFile, request.mapping, { signal: cancel, onProgress: postProgress }) };
  }
  try {
    // One import at a time, whichever tab started it: they share one staging table.
    const result = await navigator.locks.request(CSV_IMPORT_LOCK, { ifAvailable: true }, (lock) =>
      lock
        ? importCsv(openFile, request.mapping, sink, { signal: cancel, onProgress: postProgress })
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
