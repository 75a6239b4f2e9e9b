/**
 * The default model shipped inside the extension (`models/`, rebuilt by `npm run model:build`).
 * The manifest is parsed like any imported one, so a broken file is a clear error in the
 * badge, not a crash; it never changes at run time, so it is parsed once.
 */
import manifestJson from '../../models/manifest.json';
import modelUrl from '../../models/model.onnx?url';
import { parseManifest, type Manifest } from './manifest';

let parsed: ReturnType<typeof parseManifest> | undefined;

export const bundledModel = {
  /** Extension-relative URL of the ONNX file. */
  url: modelUrl,
  manifest: () => (parsed ??= parseManifest(manifestJson)),
};

/**
 * Whether `manifest` learnt from made-up demo leads, not from the company's, so its scores say
 * nothing of which of their leads convert: a model trained in LeadLens on Demo mode's leads
 * (`provenance.demoLeads`), or a default model of LeadLens (`models/`, active on a fresh install).
 * A default model is told by what it was trained on, not by its id, so that another version's,
 * imported from its export as any other, is one too: `npm run model:build` trains on a file named
 * demo-history.csv with dates measured from a fixed time, in every version so far. A model trained
 * in LeadLens names its source's leads ("Salesforce leads"), never a file; one the CLI trains on a
 * file of the admin's that happens to share the name is measured from its own data's latest date (or its --now).
 */
export function learntFromMadeUpLeads(manifest: Manifest): boolean {
  if (manifest.provenance.demoLeads) return true;
  const bundled = bundledModel.manifest();
  if (!bundled.ok) return false;
  const { source, referenceTime } = bundled.manifest.provenance;
  return manifest.provenance.source === source && manifest.provenance.referenceTime === referenceTime;
}
