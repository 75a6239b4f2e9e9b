import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, type MouseEvent } from 'react';
import { JobProgressBar, StatusRegion } from '@/components/StatusMessage';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { demoLeadMix } from '@/lib/db/source-history';
import { plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { MODEL_CHANGE_MUTATION, useJob, useModelChangeRunning } from '@/lib/ui/hooks';
import { ActionStatus } from './ConfirmedAction';

/** One click: demo leads from both CRMs, the default model, every lead scored. */
export function DemoModeSection() {
  const queryClient = useQueryClient();
  const scoring = useJob('scoring');
  // It activates the default model: one change of the models at a time on the page (Training, Model versions).
  const load = useMutation({
    mutationKey: MODEL_CHANGE_MUTATION,
    // Given the button that started it (`ActionStatus`'s trigger): disabled meanwhile, the focus it had goes to the result.
    mutationFn: async (_trigger: Element) => {
      const { leads, scoringProblem } = await succeeded(background.loadDemoData({}));
      return { leads, scoringProblem };
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
    // After a scoring of every demo lead, the leads are read again when the scoring job ends (App);
    // a failure, or a scoring that went wrong, may come after the demo leads were replaced, with no job to end.
    onSuccess: async ({ scoringProblem }) => {
      if (scoringProblem) await queryClient.invalidateQueries({ queryKey: queryKeys.leads() });
    },
    onError: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  const remove = useMutation({
    // Given the button that started it: it goes with the line of the demo leads removed, and the focus to the result.
    mutationFn: async (_trigger: Element) => (await succeeded(background.removeDemoData({}))).removed,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const otherChangeRuns = useModelChangeRunning() && !load.isPending;
  const scoringDemo = load.isPending && scoring?.state === 'running' && !scoring.source;
  const waitNoteId = useId();
  // One result at a time: the other's would be out of date.
  const startLoad = (event: MouseEvent<HTMLButtonElement>) => {
    remove.reset();
    load.mutate(event.currentTarget);
  };
  const startRemoval = (event: MouseEvent<HTMLButtonElement>) => {
    load.reset();
    remove.mutate(event.currentTarget);
  };
  return (
    <>
      <p>
        See LeadLens working before connecting a CRM: this stores 2,000 demo leads (half from Salesforce, half from HubSpot, with known
        outcomes), activates the default model and scores them. Loading it again replaces the demo leads; your own leads are untouched.
      </p>
      {otherChangeRuns && <p id={waitNoteId}>Another section is changing the models (a trained model's activation, Model versions): load the demo data once it is done.</p>}
      <button type="button" onClick={startLoad} disabled={load.isPending || otherChangeRuns} aria-describedby={otherChangeRuns ? waitNoteId : undefined}>
        {load.isPending ? 'Loading demo data…' : 'Load demo data'}
      </button>
      {/* A write-back's run of one CRM's leads is not the demo's. */}
      {scoringDemo && <JobProgressBar label="Scoring demo leads" done={scoring.done} total={scoring.total} />}
      {/* On the page before, so that the scoring is announced; the bar's label says it in sight. Its end is said where the focus goes. */}
      <StatusRegion>{scoringDemo && <p className="visually-hidden">Scoring demo leads…</p>}</StatusRegion>
      {load.isSuccess && (
        <div data-testid="demo-loaded">
          <ActionStatus
            text={
              load.data.scoringProblem
                ? `Loaded ${plural(load.data.leads, 'demo lead', 'demo leads')}; the default model is active. ${load.data.scoringProblem}`
                : `Loaded and scored ${plural(load.data.leads, 'demo lead', 'demo leads')}. Open the side panel to see them.`
            }
            trigger={load.variables}
          />
        </div>
      )}
      {load.isError && <ActionStatus failed text={`The demo data could not be loaded: ${load.error.message}`} trigger={load.variables} />}
      {/* Made-up leads would otherwise stay among the user's own in the side panel, counts and previews until a purge. */}
      {mix.data && mix.data.demo > 0 && !load.isPending && (
        <p data-testid="demo-stored">
          {plural(mix.data.demo, 'demo lead is', 'demo leads are')} stored
          {mix.data.own > 0 ? `, beside ${plural(mix.data.own, 'lead', 'leads')} of your own: the side panel counts them together` : ''}.{' '}
          <button type="button" onClick={startRemoval} disabled={remove.isPending}>
            {remove.isPending ? 'Removing demo data…' : 'Remove demo data'}
          </button>
        </p>
      )}
      {remove.isSuccess && (
        <div data-testid="demo-removed">
          <ActionStatus
            text={`Removed ${plural(remove.data, 'demo lead', 'demo leads')} and their scores; your own leads and the models are untouched.`}
            trigger={remove.variables}
          />
        </div>
      )}
      {remove.isError && <ActionStatus failed text={`The demo data could not be removed: ${remove.error.message}`} trigger={remove.variables} />}
    </>
  );
}
