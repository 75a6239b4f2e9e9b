import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '@/components/StatusMessage';
import { CRM_LABEL } from '@/lib/crm/types';
import { countStoredLeads, db } from '@/lib/db/db';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { queryKeys } from '@/lib/query-keys';

const SOURCE_WORDS = { ...CRM_LABEL, csv: 'CSV imports' };

async function storedDataSummary() {
  const [salesforce, hubspot, csv, scores, cachedScores, models, estimate] = await Promise.all([
    countStoredLeads('salesforce'),
    countStoredLeads('hubspot'),
    countStoredLeads('csv'),
    db.leadScores.count(),
    db.scores.count(),
    db.models.count(),
    navigator.storage.estimate(),
  ]);
  return { leads: { salesforce, hubspot, csv }, scores, cachedScores, models, bytes: estimate.usage ?? 0 };
}

/** Everything LeadLens keeps, deleted by the background once no sync or write-back runs (lib/background/purge.ts). */
async function purgeEverything() {
  await succeeded(background.purgeEverything({}));
}

export function DataPrivacySection() {
  const queryClient = useQueryClient();
  const summary = useQuery({ queryKey: queryKeys.storedDataSummary(), queryFn: storedDataSummary });
  const [confirming, setConfirming] = useState(false);
  const purge = useMutation({
    mutationFn: purgeEverything,
    onSettled: () => {
      setConfirming(false);
      return queryClient.invalidateQueries();
    },
  });
  return (
    <>
      <p>
        <strong>What leaves this browser: nothing but LeadLens's calls to your own CRM</strong> (Salesforce or HubSpot, with the
        credentials you gave it). Scoring and training run here; LeadLens sends no lead data, usage data or telemetry anywhere else
        and loads no remote code.
      </p>
      <h3 style={{ fontSize: 15 }}>What is stored here</h3>
      {summary.isPending && <Loading what="the stored data" />}
      {summary.isError && <ErrorState message={summary.error.message} />}
      {summary.isSuccess && (
        <ul data-testid="stored-data">
          {Object.entries(summary.data.leads).map(([source, count]) => (
            <li key={source}>
              Leads from {SOURCE_WORDS[source as keyof typeof SOURCE_WORDS]}: {count.toLocaleString('en-US')}
            </li>
          ))}
          <li>Stored lead scores: {summary.data.scores.toLocaleString('en-US')}</li>
          <li>Record-page scores cached: {summary.data.cachedScores.toLocaleString('en-US')}</li>
          <li>Models trained or imported: {summary.data.models.toLocaleString('en-US')}</li>
          <li>Space used: {(summary.data.bytes / 1e6).toFixed(1)} MB</li>
        </ul>
      )}
      {confirming ? (
        <p role="group" aria-label="Confirm purge">
          This stops any sync or write-back, then deletes every stored lead, score, model, setting and connection. It cannot be undone.{' '}
          <button type="button" onClick={() => purge.mutate()} disabled={purge.isPending}>
            Yes, purge everything
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Purge everything…
        </button>
      )}
      {purge.isSuccess && <p role="status">Everything LeadLens stored has been deleted.</p>}
      {purge.isError && <ErrorState message={purge.error.message} />}
    </>
  );
}
