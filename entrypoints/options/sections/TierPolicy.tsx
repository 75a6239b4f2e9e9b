import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useState } from 'react';
import { CurveChart, type CurveChartProps } from '@/components/Charts';
import { ErrorState, JobProgressBar, Loading } from '@/components/StatusMessage';
import { TierLabel } from '@/components/TierLabel';
import { background } from '@/lib/messaging/client';
import type { Manifest, TierPolicy } from '@/lib/ml/manifest';
import type { PolicyPreview } from '@/lib/ml/tier-policy';
import { activeManifest, setTiers } from '@/lib/ml/model-store';
import { clearCachedScores } from '@/lib/ml/retier';
import { formatProbability } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { TIERS } from '@/lib/segments';
import { useJob } from '@/lib/ui/hooks';
import { useInTurn } from '@/lib/ui/near-viewport';
import { labelledQuery, previewInWorker } from '../policy-client';
import type { RetierMessage } from '../retier-worker';

interface PolicyForm {
  kind: TierPolicy['kind'];
  revenuePerConversion: number;
  costPerContact: number;
  leadsPerWeek: number;
  hotPerWeek: number;
  warmPerWeek: number;
  hotPercent: number;
  warmPercent: number;
}

function formFrom(manifest: Manifest): PolicyForm {
  const policy = manifest.tiers.policy;
  return {
    kind: policy.kind,
    revenuePerConversion: policy.kind === 'value' ? policy.revenuePerConversion : 5000,
    costPerContact: policy.kind === 'value' ? policy.costPerContact : 200,
    leadsPerWeek: policy.kind === 'capacity' ? policy.inflowPerWeek : 100,
    hotPerWeek: policy.kind === 'capacity' ? policy.hotPerWeek : 10,
    warmPerWeek: policy.kind === 'capacity' ? policy.warmPerWeek : 20,
    hotPercent: Math.round(manifest.tiers.hot * 1000) / 10,
    warmPercent: Math.round(manifest.tiers.warm * 1000) / 10,
  };
}

function policyOf(form: PolicyForm): TierPolicy {
  if (form.kind === 'value') return { kind: 'value', revenuePerConversion: form.revenuePerConversion, costPerContact: form.costPerContact };
  if (form.kind === 'capacity') return { kind: 'capacity', hotPerWeek: form.hotPerWeek, warmPerWeek: form.warmPerWeek, inflowPerWeek: form.leadsPerWeek };
  return { kind: 'fixed' };
}

/** Re-tier in the worker; resolves with how many leads changed tier. */
function retierInWorker(modelId: string, thresholds: { hot: number; warm: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../retier-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<RetierMessage>) => {
      if (event.data.type === 'progress') return;
      worker.terminate();
      if (event.data.type === 'done') resolve(event.data.changed);
      else reject(new Error(event.data.message));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'The re-tiering worker failed'));
    };
    worker.postMessage({ modelId, ...thresholds });
  });
}

function NumberField({ label, value, onChange, min = 0, step = 1 }: { label: string; value: number; onChange(value: number): void; min?: number; step?: number | 'any' }) {
  return (
    <label style={{ display: 'flex', flexDirection: 'column', fontSize: 12 }}>
      {label}
      <input type="number" min={min} step={step} value={value} onChange={(event) => onChange(Number(event.target.value))} style={{ width: 120 }} />
    </label>
  );
}

const money = (value: number) => value.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

function PolicyEditor({ manifest }: { manifest: Manifest }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(() => formFrom(manifest));
  const set = (patch: Partial<PolicyForm>) => setForm((current) => ({ ...current, ...patch }));
  const labelled = useQuery(labelledQuery(manifest.modelId));
  const retier = useJob('retier');
  const policy = policyOf(form);
  const economics = { revenuePerConversion: form.revenuePerConversion, costPerContact: form.costPerContact, leadsPerPeriod: form.leadsPerWeek };
  const fixed = { hot: form.hotPercent / 100, warm: form.warmPercent / 100 };
  // Value and capacity policies are chosen on labelled leads; fixed thresholds need none.
  const canPreview = labelled.data !== undefined && (labelled.data.labels.length > 0 || form.kind === 'fixed');
  // A preview is a pure function of its key: computed once in the worker, never stale.
  const previewOptions = {
    queryKey: [...labelledQuery(manifest.modelId).queryKey, 'preview', labelled.dataUpdatedAt, policy, economics, fixed],
    queryFn: () => {
      if (!labelled.data) throw new Error('The stored outcomes are not loaded yet');
      return previewInWorker(labelled.data, policy, economics, fixed);
    },
    staleTime: Infinity,
    retry: false,
  };
  // While the worker computes a new preview, the last one stays on screen.
  const preview = useQuery({ ...previewOptions, enabled: canPreview, placeholderData: keepPreviousData });
  const apply = useMutation({
    mutationFn: async () => {
      // The preview of the form as submitted (usually cached), not one still on screen from before.
      const { thresholds } = await queryClient.fetchQuery(previewOptions);
      await setTiers(manifest.modelId, { policy, ...thresholds });
      const changed = await retierInWorker(manifest.modelId, thresholds);
      await clearCachedScores(manifest.modelId);
      await background.tiersChanged({ modelId: manifest.modelId });
      return changed;
    },
    // Only the manifest's tiers changed here; the stored probabilities and outcomes did not.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        apply.mutate();
      }}
    >
      <fieldset>
        <legend>How to choose the hot and warm tiers</legend>
        {(
          [
            ['value', 'By business value: the threshold that earns the most'],
            ['capacity', 'By capacity: as many hot and warm leads as the team can work each week'],
            ['fixed', 'Fixed probabilities'],
          ] as const
        ).map(([kind, label]) => (
          <label key={kind} style={{ display: 'block' }}>
            <input type="radio" name="policy" value={kind} checked={form.kind === kind} onChange={() => set({ kind })} /> {label}
          </label>
        ))}
      </fieldset>
      <div className="filters">
        {form.kind === 'value' && (
          <>
            <NumberField label="Revenue per conversion ($)" value={form.revenuePerConversion} min={1} onChange={(revenuePerConversion) => set({ revenuePerConversion })} />
            <NumberField label="Cost per contact ($)" value={form.costPerContact} onChange={(costPerContact) => set({ costPerContact })} />
          </>
        )}
        {form.kind === 'capacity' && (
          <>
            <NumberField label="Hot leads worked per week" value={form.hotPerWeek} min={1} onChange={(hotPerWeek) => set({ hotPerWeek })} />
            <NumberField label="Warm leads worked per week" value={form.warmPerWeek} onChange={(warmPerWeek) => set({ warmPerWeek })} />
          </>
        )}
        {form.kind === 'fixed' && (
          <>
            <NumberField label="Hot from (% likely)" value={form.hotPercent} step="any" onChange={(hotPercent) => set({ hotPercent })} />
            <NumberField label="Warm from (% likely)" value={form.warmPercent} step="any" onChange={(warmPercent) => set({ warmPercent })} />
          </>
        )}
        <NumberField label="New leads per week" value={form.leadsPerWeek} min={1} onChange={(leadsPerWeek) => set({ leadsPerWeek })} />
        {form.kind !== 'value' && (
          <>
            <NumberField label="Revenue per conversion ($)" value={form.revenuePerConversion} min={1} onChange={(revenuePerConversion) => set({ revenuePerConversion })} />
            <NumberField label="Cost per contact ($)" value={form.costPerContact} onChange={(costPerContact) => set({ costPerContact })} />
          </>
        )}
      </div>
      {labelled.isPending && <Loading what="stored outcomes" />}
      {labelled.isError && <ErrorState message={labelled.error.message} />}
      {labelled.isSuccess && !canPreview && <p>Value and capacity policies are chosen on stored leads with known outcomes: load the demo data or sync your history first.</p>}
      {canPreview && preview.isPending && <Loading what="the policy preview" />}
      {preview.isError && <ErrorState message={preview.error.message} />}
      {canPreview && preview.data && (
        <MemoPolicyPreviewView preview={preview.data} form={form} labelledLeads={labelled.data?.labels.length ?? 0} />
      )}
      <button type="submit" disabled={apply.isPending || !canPreview || preview.isError}>
        {apply.isPending ? 'Applying…' : 'Apply this policy'}
      </button>
      {apply.isPending && retier?.state === 'running' && <JobProgressBar label="Re-tiering stored leads" done={retier.done} total={retier.total} />}
      {apply.isSuccess && (
        <p role="status" data-testid="policy-applied">
          Applied: {apply.data.toLocaleString('en-US')} stored leads changed tier; open badges update.
        </p>
      )}
      {apply.isError && <ErrorState message={apply.error.message} />}
    </form>
  );
}

/** The thresholds a policy gives, what each tier yields, and the curves they sit on. */
function PolicyPreviewView({ preview, form, labelledLeads }: { preview: PolicyPreview; form: PolicyForm; labelledLeads: number }) {
  return (
    <>
      <p data-testid="policy-thresholds">
        <TierLabel tier="hot" /> from {formatProbability(preview.thresholds.hot)} likely, <TierLabel tier="warm" /> from {formatProbability(preview.thresholds.warm)} likely.
      </p>
      <table data-testid="policy-outcomes">
        <caption style={{ textAlign: 'left', fontWeight: 600 }}>Expected per week ({form.leadsPerWeek.toLocaleString('en-US')} new leads)</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col">Contacts</th>
            <th scope="col">Conversions</th>
            <th scope="col">Conversion rate</th>
          </tr>
        </thead>
        <tbody>
          {TIERS.map((tier) => (
            <tr key={tier}>
              <th scope="row">
                <TierLabel tier={tier} />
              </th>
              <td>{preview.outcomes[tier].expectedContacts.toFixed(1)}</td>
              <td>{preview.outcomes[tier].expectedConversions.toFixed(1)}</td>
              <td>{formatProbability(preview.outcomes[tier].conversionRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Working the hot and warm leads: expected profit {money(preview.profitPerPeriod)} per week (at {money(form.revenuePerConversion)} per conversion, {money(form.costPerContact)} per contact).
      </p>
      <div className="chart-grid">
        {Object.entries(POLICY_CHARTS).map(([name, chart]) => (
          <PolicyChart key={name} preview={preview} chart={chart} />
        ))}
      </div>
      <p style={{ fontSize: 12 }}>Computed from the {labelledLeads.toLocaleString('en-US')} stored leads with a known outcome.</p>
    </>
  );
}

/** The policy's curves, as charts of a preview. */
const POLICY_CHARTS: Record<string, (preview: PolicyPreview) => CurveChartProps> = {
  profit: (preview) => ({
    title: 'Profit by threshold',
    description: `profit per lead if every lead above the threshold is contacted; hot at ${formatProbability(preview.thresholds.hot)}, warm at ${formatProbability(preview.thresholds.warm)}`,
    points: preview.profit,
    xLabel: 'Contact threshold (probability)',
    yLabel: 'Profit per lead ($)',
    percentAxes: false,
    markers: [
      { label: 'Hot', point: [preview.thresholds.hot, profitAt(preview.profit, preview.thresholds.hot)] },
      { label: 'Warm', point: [preview.thresholds.warm, profitAt(preview.profit, preview.thresholds.warm)] },
    ],
  }),
  precisionRecall: (preview) => ({
    title: 'Precision–recall',
    description: `hot: recall ${formatProbability(preview.markers.hot.pr[0])}, precision ${formatProbability(preview.markers.hot.pr[1])}`,
    points: preview.pr,
    xLabel: 'Recall %',
    yLabel: 'Precision %',
    markers: [{ label: 'Hot', point: preview.markers.hot.pr }, { label: 'Warm', point: preview.markers.warm.pr }],
  }),
  roc: (preview) => ({
    title: 'ROC',
    description: `hot catches ${formatProbability(preview.markers.hot.roc[1])} of conversions`,
    points: preview.roc,
    xLabel: 'False-positive rate %',
    yLabel: 'True-positive rate %',
    diagonal: true,
    markers: [{ label: 'Hot', point: preview.markers.hot.roc }, { label: 'Warm', point: preview.markers.warm.roc }],
  }),
};

// Each policy curve redraws in its own task when the preview changes: drawn together with
// 100,000 stored leads they block the page for a quarter of a second.
const PolicyChart = memo(function PolicyChart({ preview, chart }: { preview: PolicyPreview; chart: (preview: PolicyPreview) => CurveChartProps }) {
  const shown = useInTurn(preview);
  return <CurveChart {...chart(shown)} />;
});

/** Its charts are costly to redraw: not on every progress step of a re-tiering job, only when the preview or the form changes. */
const MemoPolicyPreviewView = memo(PolicyPreviewView);

/** The profit curve's value nearest a threshold (for placing its marker). */
function profitAt(curve: readonly [number, number][], threshold: number): number {
  if (curve.length === 0) return 0;
  return curve.reduce((best, point) => (Math.abs(point[0] - threshold) < Math.abs(best[0] - threshold) ? point : best))[1];
}

export function TierPolicySection() {
  const manifest = useQuery({ queryKey: queryKeys.activeModel(), queryFn: activeManifest });
  if (manifest.isPending) return <Loading what="the tier policy" />;
  if (manifest.isError) return <ErrorState message={manifest.error.message} />;
  return <PolicyEditor key={manifest.data.modelId} manifest={manifest.data} />;
}
