/** A file's text as it is read, chunk by chunk, decoded as strict UTF-8. */
import { MISTAKEN_FILE_START_BYTES, mistakenFileError, TrainingDataError } from '../ml/train/dataset';

export async function* fileText(file: Blob): AsyncGenerator<string> {
  const reader = file.stream().pipeThrough(new TextDecoderStream('utf-8', { fatal: true })).getReader();
  try {
    // A workbook, an image or UTF-16 text, named for what it is before its bytes are refused as UTF-8.
    const mistaken = mistakenFileError(new Uint8Array(await file.slice(0, MISTAKEN_FILE_START_BYTES).arrayBuffer()));
    if (mistaken) throw mistaken;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } catch (error) {
    // The decoder's own error names no line; say what to do instead.
    if (error instanceof TypeError) throw new TrainingDataError('The CSV file is not valid UTF-8. Re-export it as UTF-8 (e.g. "CSV UTF-8" in Excel).');
    // Chrome reads a chosen file as it was when chosen: once it is saved again (fixed, re-exported), it can no longer be read.
    if (error instanceof DOMException && error.name === 'NotReadableError') throw new TrainingDataError('The file changed since it was chosen: choose it again.');
    throw error;
  } finally {
    reader.releaseLock();
  }
}
