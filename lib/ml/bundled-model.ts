/**
 * The default model shipped inside the extension (`models/`, rebuilt by `npm run model:build`).
 * The manifest is parsed at run time like any imported one, so a broken file is a clear
 * error in the badge, not a crash.
 */
import manifestJson from '../../models/manifest.json';
import modelUrl from '../../models/model.onnx?url';
import { parseManifest } from './manifest';

export const bundledModel = {
  /** Extension-relative URL of the ONNX file. */
  url: modelUrl,
  manifest: () => parseManifest(manifestJson),
};
