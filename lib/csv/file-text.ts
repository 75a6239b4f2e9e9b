/** A file's text as it is read, chunk by chunk, decoded as strict UTF-8. */
import { TrainingDataError } from '../ml/train/errors';
import { MISTAKEN_FILE_START_BYTES, mistakenFileError, StrictUtf8Decoder } from './parse';

export async function* fileText(file: Blob): AsyncGenerator<string> {
  const reader = file.stream().getReader();
  // Its own decoding, not a TextDecoderStream's, whose error names no line: this one names the line of the first bad bytes, as the CLI does.
  const decoder = new StrictUtf8Decoder();
  try {
    // A workbook, an image or UTF-16 text, named for what it is before its bytes are refused as UTF-8.
    const mistaken = mistakenFileError(new Uint8Array(await file.slice(0, MISTAKEN_FILE_START_BYTES).arrayBuffer()));
    if (mistaken) throw mistaken;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value);
      // a chunk of only a character's first bytes has no text yet
      if (text !== '') yield text;
    }
    decoder.finish();
  } catch (error) {
    // Chrome reads a chosen file as it was when chosen: once it is saved again (fixed, re-exported), it can no longer be read.
    if (error instanceof DOMException && error.name === 'NotReadableError') throw new TrainingDataError('The file changed since it was chosen: choose it again.');
    throw error;
  } finally {
    reader.releaseLock();
  }
}
