import 'fake-indexeddb/auto';
/** Reading a chosen file's text: errors said as what to do. */
import { describe, expect, it } from 'vitest';
import { TrainingDataError } from '../ml/train/dataset';
import { fileText } from './file-text';
import { answerCsvRequest } from './import-job';
import { dexieCsvSink } from './stored';
import type { CsvEvent } from './worker-protocol';

async function textOf(file: Blob): Promise<string> {
  let text = '';
  for await (const chunk of fileText(file)) text += chunk;
  return text;
}

/** A chosen file saved again since: Chrome's reading of it fails with NotReadableError after its first bytes. */
function changedSinceChosen(): File {
  const file = new File(['id,won\nA,1\n'], 'leads.csv', { type: 'text/csv' });
  const stream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('id,won\n'));
        controller.error(new DOMException('The requested file could not be read, typically due to permission problems that have occurred after a reference to a file was acquired.', 'NotReadableError'));
      },
    });
  return Object.defineProperty(file, 'stream', { value: stream });
}

describe('fileText', () => {
  it('reads UTF-8 text, and says to re-export a file that is not', async () => {
    expect(await textOf(new Blob(['id,name\n1,Zoë\n']))).toBe('id,name\n1,Zoë\n');
    await expect(textOf(new Blob([new Uint8Array([0x69, 0x64, 0xff, 0x0a])]))).rejects.toThrow(/^The CSV file is not valid UTF-8\./);
  });

  it('says to choose a file again that changed since it was chosen, in the preview’s and the import’s answer too', async () => {
    await expect(textOf(changedSinceChosen())).rejects.toThrow(new TrainingDataError('The file changed since it was chosen: choose it again.'));
    const events: CsvEvent[] = [];
    await answerCsvRequest({ type: 'preview', file: changedSinceChosen() }, (event) => events.push(event), dexieCsvSink);
    expect(events.at(-1)).toEqual({ type: 'failed', error: 'The file changed since it was chosen: choose it again.' });
  });
});
