// @vitest-environment happy-dom
/**
 * Whether an activated model's stored scores are ground for figures, read from what is stored
 * (the scoring job's row, the scoring owed) as the tier policy, the model report and score drift read it.
 */
import 'fake-indexeddb/auto';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, createElement } from 'react';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db/db';
import { oweScoringOfEveryLead, settleOwedScoring, writeJob, type JobProgress } from '@/lib/jobs/progress';
import { queryKeys } from '@/lib/query-keys';
import { render, waitFor, type Rendered } from '@/test/render';
import { useInvalidateWhenJobEnds } from './hooks';
import { scoringEveryLeadProgress, useOwedScoringOfEveryLead } from './owed-scoring';

const MODEL = 'model-b';
let rendered: Rendered | undefined;
beforeEach(() => db.settings.clear());
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

/** What the hook says of `MODEL`, as the sections word it: "settled", "unsettled", or the owed scoring's progress. */
function Probe() {
  const { run, settled } = useOwedScoringOfEveryLead(MODEL);
  return createElement('p', null, run ? scoringEveryLeadProgress(run) : settled ? 'settled' : 'unsettled');
}

function renderProbe() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(Probe)));
  const { container } = rendered;
  // Waits for `text` (the live reads are asynchronous), then says what was there instead if it never came.
  const said = async (text: string) => {
    await waitFor(() => container.textContent === text || null).catch(() => undefined);
    expect(container.textContent).toBe(text);
  };
  return { said };
}

/** Writes the row of a scoring run that ended, settling a scoring owed with its model when it ran over every lead, in one write as the job does. */
const endRun = (run: JobProgress) =>
  act(() =>
    db.transaction('rw', db.settings, async () => {
      await writeJob('scoring', { ...run, state: 'done', done: run.total, finishedAt: Date.now() });
      if (run.source === undefined) await settleOwedScoring(run.modelId);
    }),
  );

it('holds an activation\'s scoring unsettled while it waits for its turn behind another job, and until its own run over every lead ends', async () => {
  // A sync's run of one CRM's leads with the model active before holds the turn when the activation owes its scoring.
  const syncRun: JobProgress = { modelId: 'model-a', source: 'salesforce', state: 'running', done: 100, total: 20_000, startedAt: Date.now() };
  await writeJob('scoring', syncRun);
  await oweScoringOfEveryLead(MODEL);
  const { said } = renderProbe();
  await said('Scoring the stored leads with this model (waiting for its turn)');

  // The sync's run ends: the owed scoring has not begun, so still waiting (a re-tier, the old model's re-score could go first too).
  await endRun(syncRun);
  await act(() => new Promise((resolve) => setTimeout(resolve, 50))); // time for the live reads to see it
  await said('Scoring the stored leads with this model (waiting for its turn)');

  const owedRun: JobProgress = { modelId: MODEL, state: 'running', done: 2_500, total: 100_000, startedAt: Date.now() };
  await act(() => writeJob('scoring', owedRun));
  await said('Scoring the stored leads with this model (2,500 of 100,000)');
  await endRun(owedRun);
  await said('settled');
});

it('says a run over every lead begun before its scoring was owed (resumed after an update) waits: it does not settle it', async () => {
  const resumed: JobProgress = { modelId: MODEL, state: 'running', done: 10, total: 20, startedAt: Date.now() - 60_000 };
  await writeJob('scoring', resumed);
  await oweScoringOfEveryLead(MODEL);
  await renderProbe().said('Scoring the stored leads with this model (waiting for its turn)');
});

it('holds a scoring owed with no job row yet (none ran since install) unsettled', async () => {
  await oweScoringOfEveryLead(MODEL);
  await renderProbe().said('Scoring the stored leads with this model (waiting for its turn)');
});

it('settles a model whose scoring is not owed: a routine re-score of every lead keeps the scores it replaces', async () => {
  await writeJob('scoring', { modelId: MODEL, state: 'running', done: 2_500, total: 100_000, startedAt: Date.now() });
  await renderProbe().said('settled');
});

it('settles a model when the scoring owed is another model\'s (one activated after it)', async () => {
  await oweScoringOfEveryLead('model-c');
  await renderProbe().said('settled');
});

it('has what a section read from the scores read again once as a routine scoring run ends, by the page\'s own invalidation', async () => {
  let reads = 0;
  // A section's read of the scores (the tier policy's stored outcomes), under the page's invalidation of the leads as a scoring ends (the options page's App).
  function Section() {
    useInvalidateWhenJobEnds('scoring', [queryKeys.leads()]);
    const { settled } = useOwedScoringOfEveryLead(MODEL);
    const scores = useQuery({ queryKey: queryKeys.labelledLeads(MODEL), queryFn: async () => ++reads, staleTime: Infinity, enabled: settled });
    return createElement('p', null, scores.data === undefined ? 'reading' : `read ${scores.data}`);
  }
  const run: JobProgress = { modelId: MODEL, source: 'salesforce', state: 'running', done: 100, total: 20_000, startedAt: Date.now() };
  await writeJob('scoring', run);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rendered = render(createElement(QueryClientProvider, { client }, createElement(Section)));
  await waitFor(() => rendered?.container.textContent === 'read 1' || null);

  await endRun(run);
  await waitFor(() => rendered?.container.textContent === 'read 2' || null);
  await act(() => new Promise((resolve) => setTimeout(resolve, 100))); // time for a second read, were one started
  expect(reads).toBe(2);
});
