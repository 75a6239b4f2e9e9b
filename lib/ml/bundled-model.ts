/**
 * The default model shipped inside the extension (`models/`, rebuilt by `npm run model:build`).
 * The manifest is parsed like any imported one, so a broken file is a clear error in the
 * badge, not a crash; it never changes at run time, so it is parsed once.
 */
import manifestJson from '../../models/manifest.json';
import modelUrl from '../../models/model.onnx?url';
import { parseManifest } from './manifest';

let parsed: ReturnType<typeof parseManifest> | undefined;

export const bundledModel = {
  /** Extension-relative URL of the ONNX file. */
  url: modelUrl,
  manifest: () => (parsed ??= parseManifest(manifestJson)),
};
