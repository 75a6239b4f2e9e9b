import { bundledModel } from '@/lib/ml/bundled-model';
import type { Manifest } from '@/lib/ml/manifest';
import { formatModelDate, formatThreshold, heldOutAucHeading, plural } from '@/lib/presentation';

/**
 * Whether `modelId` is the default model shipped with LeadLens (`models/`), active on a fresh
 * install: trained on generated demo leads, so its scores are not learnt from the company's.
 */
export function isDefaultModel(modelId: string): boolean {
  const bundled = bundledModel.manifest();
  return bundled.ok && bundled.manifest.modelId === modelId;
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
        {manifest.modelId}, trained {formatModelDate(manifest.createdAt)} on {plural(provenance.rows, 'lead', 'leads')} (
        {plural(provenance.positives, 'conversion', 'conversions')}) from {provenance.source}
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
