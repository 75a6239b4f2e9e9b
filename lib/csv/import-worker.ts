/**
 * The CSV import Web Worker: reads the file as a stream, validates and stores it block by
 * block (import.ts) straight into IndexedDB, and posts progress.
 */
import { TrainingDataError } from '../ml/train/dataset';
import { fileText } from './file-text';
import { FILE_READS, importCsv, previewCsv } from './import';
import { fewValuedColumns } from '../ml/train/outcome-suggestions';
import { suggestCsvMapping } from './mapping';
import { dexieCsvSink } from './stored';
import { CsvEventSchema, CsvRequestSchema, type CsvEvent, type CsvRequest } from './worker-protocol';

const post = (event: CsvEvent) => self.postMessage(CsvEventSchema.parse(event));

async function handle(request: CsvRequest): Promise<void> {
  const { file } = request;
  if (request.type === 'preview') {
    const { columns, records } = await previewCsv(fileText(file));
    post({ type: 'preview', columns, outcomeValues: fewValuedColumns(columns, records), suggestion: suggestCsvMapping(columns, records) });
    return;
  }
  const { rows, dayFirstColumns, commaDecimalColumns, warnings } = await importCsv(
    () => fileText(file),
    request.mapping,
    dexieCsvSink,
    // Characters approximate bytes closely enough for a progress bar.
    { onProgress: ({ rows, chars }) => post({ type: 'progress', rows, fraction: Math.min(1, chars / Math.max(FILE_READS * file.size, 1)) }) },
  );
  post({ type: 'imported', rows, dayFirstColumns, commaDecimalColumns, warnings });
}

self.addEventListener('message', (message: MessageEvent) => {
  const request = CsvRequestSchema.safeParse(message.data);
  if (!request.success) {
    post({ type: 'failed', error: 'The import request was malformed.' });
    return;
  }
  handle(request.data).catch((error: unknown) => {
    const text = error instanceof TrainingDataError ? error.message : `The import failed: ${error instanceof Error ? error.message : String(error)}`;
    post({ type: 'failed', error: text });
  });
});
