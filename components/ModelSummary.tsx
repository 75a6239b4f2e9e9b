import { bundledModel } from '@/lib/ml/bundled-model';
import type { Manifest } from '@/lib/ml/manifest';
import { formatDay, formatThreshold, heldOutAucHeading, plural } from '@/lib/presentation';
import { shownLabel } from '@/lib/ml/visible-text';

/**
 * Whether `manifest` is a default model of LeadLens (`models/`, active on a fresh install): trained
 * on generated demo leads, so its scores are not learnt from the company's. Told by what it was
 * trained on, not by its id, so that another version's default model, imported from its export as
 * any other, is one too: `npm run model:build` trains on a file named demo-history.csv with dates
 * measured from a fixed time, in every version so far. A model trained in LeadLens names its
 * source's leads ("salesforce leads"), never a file; one the CLI trains on a file of the admin's
 * that happens to share the name is measured from its own data's latest date (or its --now).
 */
export function isDefaultModel(manifest: Manifest): boolean {
  const bundled = bundledModel.manifest();
  if (!bundled.ok) return false;
  const { source, referenceTime } = bundled.manifest.provenance;
  return manifest.provenance.source === source && manifest.provenance.referenceTime === referenceTime;
}

/** The default model in words, wherever an admin could take its scores for ones learnt from their own leads. */
export const DEFAULT_MODEL_WORDS = "LeadLens's default model, trained on made-up demo leads, not on yours";

/** The active model in a few lines: when, on what, how good. */
export function ModelSummary({ manifest }: { manifest: Manifest }) {
  const { provenance, metrics, tiers } = manifest;
  return (
    <dl className="model-summary">
      <dt>Model</dt>
      <dd>
        {manifest.modelId}, trained {formatDay(manifest.createdAt)} on {plural(provenance.rows, 'lead', 'leads')} (
        {plural(provenance.positives, 'conversion', 'conversions')}) from {shownLabel(provenance.source)}
      </dd>
      {metrics.cvRocAuc !== undefined && (
        <>
          <dt>{heldOutAucHeading(metrics)}</dt>
          <dd>{metrics.cvRocAuc.toFixed(3)}</dd>
        </>
      )}
      <dt>Tiers</dt>
      <dd>
        Hot from {formatThreshold(tiers.hot)}, warm from {formatThreshold(tiers.warm)} likely to convert ({tiers.policy.kind} policy)
      </dd>
    </dl>
  );
}
