import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, type MouseEvent } from 'react';
import { JobProgressBar, StatusRegion } from '@/components/StatusMessage';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { demoLeadMix } from '@/lib/db/source-history';
import { bundledModel } from '@/lib/ml/bundled-model';
import { plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { MODEL_CHANGE_MUTATION, useActiveModelId, useJob, useModelChangeRunning } from '@/lib/ui/hooks';
import { ActionStatus, ConfirmButton } from './ConfirmedAction';

/** A load of the demo data: the control that started it, and the admin's model it makes the default one replace (none when the default is active). */
interface DemoLoad {
  trigger: Element | null;
  replacing?: string;
}

/**
 * What a load did: the demo leads stored (and why any were left out), the default model active (in
 * place of `replacing`, which Roll back brings back); or, none stored, that the active model stays.
 */
function loadedText({ leads, skipped, scoringProblem }: { leads: number; skipped: number; scoringProblem?: string }, replacing: string | undefined): string {
  if (leads === 0) {
    const stays = replacing ? `your model ${replacing} stays active` : 'the active model stays as it is';
    return `No demo lead was loaded: your synced leads already have the demo leads' ids (as after a sync of the demo CRM), so ${stays}.`;
  }
  const leftOut = skipped > 0 ? ` (${plural(skipped, 'other was', 'others were')} left out: your synced leads already have ${skipped === 1 ? 'its id' : 'their ids'})` : '';
  const demoLeads = `${plural(leads, 'demo lead', 'demo leads')}${leftOut}`;
  const inPlace = replacing ? ` in place of ${replacing} (Model versions → Roll back to ${replacing} brings it back)` : '';
  if (scoringProblem) return `Loaded ${demoLeads}; the default model is active${inPlace}. ${scoringProblem}`;
  if (!replacing) return `Loaded and scored ${demoLeads}. Open the side panel to see them.`;
  return `Loaded ${demoLeads}; the default model is active${inPlace}, and every stored lead, your own included, was scored with it. Open the side panel to see them.`;
}

/** One click: demo leads from both CRMs, the default model, every lead scored. */
export function DemoModeSection() {
  const queryClient = useQueryClient();
  const scoring = useJob('scoring');
  // The load makes the default model active: an admin's own model (trained, imported) active now is replaced, which they are asked about first.
  const activeId = useActiveModelId();
  const bundled = bundledModel.manifest();
  const defaultModelId = bundled.ok ? bundled.manifest.modelId : undefined;
  const replacing = activeId !== undefined && activeId !== defaultModelId ? activeId : undefined;
  // It activates the default model: one change of the models at a time on the page (Training, Model versions).
  const load = useMutation({
    mutationKey: MODEL_CHANGE_MUTATION,
    // Given the control that started it (`ActionStatus`'s trigger): disabled or gone meanwhile, the focus it had goes to the line
    // saying the load runs, then to the result.
    mutationFn: async (_load: DemoLoad) => {
      const { leads, skipped, scoringProblem } = await succeeded(background.loadDemoData({}));
      return { leads, skipped, scoringProblem };
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.models() }),
    // After a scoring of every demo lead, the leads are read again when the scoring job ends (App);
    // a failure, a scoring that went wrong or a load of none may come after the demo leads were replaced, with no job to end.
    onSuccess: async ({ leads, scoringProblem }) => {
      if (scoringProblem || leads === 0) await queryClient.invalidateQueries({ queryKey: queryKeys.leads() });
    },
    onError: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const mix = useQuery({ queryKey: queryKeys.demoLeadMix(), queryFn: demoLeadMix });
  const remove = useMutation({
    // Given the button that started it: disabled meanwhile, then gone with the line of the demo leads removed; the focus it had goes
    // to the line saying the removal runs, then to the result.
    mutationFn: async (_trigger: Element) => (await succeeded(background.removeDemoData({}))).removed,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.leads() }),
  });
  const otherChangeRuns = useModelChangeRunning() && !load.isPending;
  const scoringDemo = load.isPending && scoring?.state === 'running' && !scoring.source;
  const waitNoteId = useId();
  // One result at a time: the other's would be out of date.
  const startLoad = (trigger: Element | null) => {
    remove.reset();
    load.mutate({ trigger, replacing });
  };
  const startRemoval = (event: MouseEvent<HTMLButtonElement>) => {
    load.reset();
    remove.mutate(event.currentTarget);
  };
  return (
    <>
      <p>
        See LeadLens working before connecting a CRM: this stores 2,000 demo leads (half from Salesforce, half from HubSpot, with known
        outcomes), makes the default model the active one and scores every stored lead with it, your own included. Loading it again
        replaces the demo leads; your own leads stay stored. A demo lead whose id one of your synced leads has is left out: if every one
        is (after a sync of the demo CRM), nothing loads and the active model stays.
      </p>
      {otherChangeRuns && <p id={waitNoteId}>Another section is changing the models (a trained model's activation, Model versions): load the demo data once it is done.</p>}
      {/* Not before the active model is known: whether to ask first depends on it. */}
      {replacing ? (
        <ConfirmButton
          label="Load demo data…"
          question={`Confirm making the default model active in place of ${replacing}`}
          confirmLabel="Yes, load demo data"
          disabled={load.isPending || otherChangeRuns}
          onConfirm={() => startLoad(document.activeElement)}
        >
          Loading demo data makes the default model active in place of your model {replacing}, and scores every stored lead with it, your own
          included. Model versions → Roll back to {replacing} brings yours back.
        </ConfirmButton>
      ) : (
        <button
          type="button"
          onClick={(event: MouseEvent<HTMLButtonElement>) => startLoad(event.currentTarget)}
          disabled={activeId === undefined || load.isPending || otherChangeRuns}
          aria-describedby={otherChangeRuns ? waitNoteId : undefined}
        >
          Load demo data
        </button>
      )}
      {load.isPending && <ActionStatus text="Loading demo data…" trigger={load.variables.trigger} />}
      {/* A write-back's run of one CRM's leads is not the demo's. */}
      {scoringDemo && <JobProgressBar label="Scoring demo leads" done={scoring.done} total={scoring.total} />}
      {/* On the page before, so that the scoring is announced; the bar's label says it in sight. Its end is said where the focus goes. */}
      <StatusRegion>{scoringDemo && <p className="visually-hidden">Scoring demo leads…</p>}</StatusRegion>
      {load.isSuccess && (
        <div data-testid="demo-loaded">
          <ActionStatus text={loadedText(load.data, load.variables.replacing)} trigger={load.variables.trigger} />
        </div>
      )}
      {load.isError && <ActionStatus failed text={`The demo data could not be loaded: ${load.error.message}`} trigger={load.variables?.trigger} />}
      {/* Made-up leads would otherwise stay among the user's own in the side panel, counts and previews until a purge. */}
      {mix.data && mix.data.demo > 0 && !load.isPending && (
        <p data-testid="demo-stored">
          {plural(mix.data.demo, 'demo lead is', 'demo leads are')} stored
          {mix.data.own > 0 ? `, beside ${plural(mix.data.own, 'lead', 'leads')} of your own: the side panel counts them together` : ''}.{' '}
          <button type="button" onClick={startRemoval} disabled={remove.isPending}>
            Remove demo data
          </button>
        </p>
      )}
      {remove.isPending && <ActionStatus text="Removing demo data…" trigger={remove.variables} />}
      {remove.isSuccess && (
        <div data-testid="demo-removed">
          <ActionStatus
            text={`Removed ${plural(remove.data, 'demo lead', 'demo leads')} and their scores; your own leads stay stored, and the active model stays as it is.`}
            trigger={remove.variables}
          />
        </div>
      )}
      {remove.isError && <ActionStatus failed text={`The demo data could not be removed: ${remove.error.message}`} trigger={remove.variables} />}
    </>
  );
}
