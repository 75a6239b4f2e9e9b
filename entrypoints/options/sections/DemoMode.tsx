import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { ErrorState, JobProgressBar, StatusRegion } from '@/components/StatusMessage';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { demoLeadMix } from '@/lib/db/source-history';
import { plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { MODEL_CHANGE_MUTATION, useJob, useModelChangeRunning } from '@/lib/ui/hooks';

/** One click: demo leads from both CRMs, the default model, every lead scored. */
export function DemoModeSection() {
  const queryClient = useQueryClient();
  const scoring = useJob('scoring');
  // It activates the default model: one change of the models at a time on the page (Training, Model versions).
  const load = useMutation({
    mutationKey: MODEL_CHANGE_MUTATION,
    mutationFn: async () => {
      return (await succeeded(background.loadDemoData({}))).leads;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
    // After a success, the leads are read again when the scoring job ends (App); a failure may
    // come after the demo leads were replaced, with no job to end.
    onError: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  const remove = useMutation({
    mutationFn: async () => (await succeeded(background.removeDemoData({}))).removed,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const otherChangeRuns = useModelChangeRunning() && !load.isPending;
  const scoringDemo = load.isPending && scoring?.state === 'running' && !scoring.source;
  const waitNoteId = useId();
  return (
    <>
      <p>
        See LeadLens working before connecting a CRM: this stores 2,000 demo leads (half from Salesforce, half from HubSpot, with known
        outcomes), activates the default model and scores them. Loading it again replaces the demo leads; your own leads are untouched.
      </p>
      {otherChangeRuns && <p id={waitNoteId}>Another section is changing the models (a trained model's activation, Model versions): load the demo data once it is done.</p>}
      <button type="button" onClick={() => load.mutate()} disabled={load.isPending || otherChangeRuns} aria-describedby={otherChangeRuns ? waitNoteId : undefined}>
        {load.isPending ? 'Loading demo data…' : 'Load demo data'}
      </button>
      {/* A write-back's run of one CRM's leads is not the demo's. */}
      {scoringDemo && <JobProgressBar label="Scoring demo leads" done={scoring.done} total={scoring.total} />}
      {/* On the page before, so that the scoring and its end are announced; the bar's label says the first in sight. */}
      <StatusRegion>
        {scoringDemo && <p className="visually-hidden">Scoring demo leads…</p>}
        {load.isSuccess && <p data-testid="demo-loaded">Loaded and scored {load.data.toLocaleString('en-US')} demo leads. Open the side panel to see them.</p>}
      </StatusRegion>
      {load.isError && <ErrorState message={`The demo data could not be loaded: ${load.error.message}`} />}
      {/* Made-up leads would otherwise stay among the user's own in the side panel, counts and previews until a purge. */}
      {mix.data && mix.data.demo > 0 && !load.isPending && (
        <p data-testid="demo-stored">
          {plural(mix.data.demo, 'demo lead is', 'demo leads are')} stored
          {mix.data.own > 0 ? `, beside ${plural(mix.data.own, 'lead', 'leads')} of your own: the side panel counts them together` : ''}.{' '}
          <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending}>
            {remove.isPending ? 'Removing demo data…' : 'Remove demo data'}
          </button>
        </p>
      )}
      <StatusRegion>
        {remove.isSuccess && (
          <p data-testid="demo-removed">Removed {plural(remove.data, 'demo lead', 'demo leads')} and their scores; your own leads and the models are untouched.</p>
        )}
      </StatusRegion>
      {remove.isError && <ErrorState message={`The demo data could not be removed: ${remove.error.message}`} />}
    </>
  );
}
