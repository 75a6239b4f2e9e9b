/**
 * The CSV import Web Worker: reads the file as a stream, validates and stores it block by
 * block (import.ts) straight into IndexedDB, and posts progress (import-job.ts). One job per
 * worker; a cancel message (or a purge) stops an import that has not begun its commit.
 */
import { answerCsvRequest } from './import-job';
import { CSV_IMPORT_CANCEL_CHANNEL, dexieCsvSink } from './stored';
import { CsvCancelSchema, CsvEventSchema, CsvRequestSchema, type CsvEvent } from './worker-protocol';

const post = (event: CsvEvent) => self.postMessage(CsvEventSchema.parse(event));
const cancel = new AbortController();
// "Purge everything" stops the import as the Cancel button does.
new BroadcastChannel(CSV_IMPORT_CANCEL_CHANNEL).addEventListener('message', () => cancel.abort());

self.addEventListener('message', (message: MessageEvent) => {
  if (CsvCancelSchema.safeParse(message.data).success) {
    cancel.abort();
    return;
  }
  const request = CsvRequestSchema.safeParse(message.data);
  if (!request.success) {
    post({ type: 'failed', error: 'The import request was malformed.' });
    return;
  }
  void answerCsvRequest(request.data, post, dexieCsvSink, cancel.signal);
});
