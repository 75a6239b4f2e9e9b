import type { Manifest } from '@/lib/ml/manifest';
import { formatDay, heldOutAucHeading, plural, sentenceStart } from '@/lib/presentation';
import { DATA_AS_OF, datedByItsData, modelSourceName } from '@/lib/ml/outcome-rule';
import { describeTierPolicy } from '@/lib/ml/tier-policy';
import { shownLabel } from '@/lib/ml/visible-text';

/** The active model in a few lines: when, on what, how good. */
export function ModelSummary({ manifest }: { manifest: Manifest }) {
  const { provenance, metrics, tiers } = manifest;
  const datedByData = datedByItsData(manifest);
  return (
    <dl className="model-summary">
      <dt>Model</dt>
      <dd>
        {/* A model the command line dated by its data: its day is the data's latest, not when it was trained. */}
        {manifest.modelId}, trained {datedByData ? '' : `${formatDay(manifest.createdAt)} `}on {plural(provenance.rows, 'lead', 'leads')} (
        {plural(provenance.positives, 'conversion', 'conversions')}) from {shownLabel(modelSourceName(provenance.source))}
        {datedByData && `, ${DATA_AS_OF} ${formatDay(manifest.createdAt, 'file')}`}
      </dd>
      {metrics.cvRocAuc !== undefined && (
        <>
          <dt>{heldOutAucHeading(metrics)}</dt>
          <dd>{metrics.cvRocAuc.toFixed(3)}</dd>
        </>
      )}
      <dt>Tiers</dt>
      {/* In the words of the tier policy form and of Model versions, not the policy's code name ("value"). */}
      <dd>{sentenceStart(describeTierPolicy(tiers))}</dd>
    </dl>
  );
}
