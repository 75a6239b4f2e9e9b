import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorState, Loading } from '@/components/StatusMessage';
import { CRM_LABEL, CRM_TERMS } from '@/lib/crm/types';
import { countStoredLeadsByOrigin, db } from '@/lib/db/db';
import { listInWords } from '@/lib/list-in-words';
import { background } from '@/lib/messaging/client';
import type { FieldsLeftInCrm } from '@/lib/messaging/protocol-privacy';
import { succeeded } from '@/lib/messaging/reply';
import { replyOrReadBack } from '@/lib/messaging/rpc';
import { purgePending } from '@/lib/background/purge-mark';
import { purgedSince } from '@/lib/jobs/progress';
import { queryKeys } from '@/lib/query-keys';
import { ActionStatus, ConfirmButton } from './ConfirmedAction';

const SOURCE_WORDS = { ...CRM_LABEL, csv: 'CSV imports' };

async function storedDataSummary() {
  const [leads, scores, cachedScores, models, estimate] = await Promise.all([
    countStoredLeadsByOrigin(),
    db.leadScores.count(),
    db.scores.count(),
    db.models.count(),
    navigator.storage.estimate(),
  ]);
  return { leads: leads.own, demoLeads: leads.demo, scores, cachedScores, models, bytes: estimate.usage ?? 0 };
}

/**
 * Everything LeadLens keeps, deleted by the background once no sync or write-back runs
 * (lib/background/purge.ts). Returns what the admin must still be told, in sentences: which CRM
 * fields still hold what write-back wrote, and a Salesforce sign-in the purge could not end, and
 * where to revoke it (else '').
 */
async function purgeEverything(): Promise<string> {
  // No later than the purge records its deletion (`purgedSince`).
  const askedAt = Date.now();
  const purged = succeeded(background.purgeEverything({})).then(({ fieldsLeftInCrm, grantLeftLive }) =>
    [fieldsLeftInCrm && fieldsLeftInCrmWords(fieldsLeftInCrm), grantLeftLive && `${grantLeftLive}.`].filter(Boolean).join(' '),
  );
  return await replyOrReadBack(purged, () => purgeReadBack(askedAt));
}

/** How long a purge cut short gets to be finished by the next worker: its wait for the running jobs to stop (60 s at most), then the deletion. */
const PURGE_FINISH_WAIT_MS = 120_000;
const PURGE_FINISH_POLL_MS = 250;

/**
 * What came of a purge asked at `askedAt`, read from what is stored, when LeadLens's background
 * stopped before it answered (Chrome stopped its worker). Its mark, stored once every job stopped,
 * stays when it was cut short deleting, and the next worker finishes it as it starts
 * (`finishUnfinishedPurge`): a message starts one, and the page waits for the mark to go. Deleted,
 * the tables record when (`purgedSince`); with no mark and no deletion it never began. What the
 * purge found left in the CRM was in its lost reply: said in general words instead.
 */
async function purgeReadBack(askedAt: number): Promise<string> {
  const cutShort = await purgePending();
  if (cutShort) {
    // Any message starts the worker; its answer is of no use here.
    await background.connectionStatus({}).catch(() => undefined);
    for (const deadline = Date.now() + PURGE_FINISH_WAIT_MS; await purgePending(); ) {
      if (Date.now() > deadline) throw new Error("LeadLens's background stopped during the purge and has not finished it yet: it does when it starts again. Reload this page to see.");
      await new Promise((resolve) => setTimeout(resolve, PURGE_FINISH_POLL_MS));
    }
  }
  if (!(await purgedSince(askedAt))) {
    throw new Error(
      cutShort
        ? "LeadLens's background stopped during the purge and could not finish it: purge again."
        : "LeadLens's background stopped before the purge began, so nothing was deleted: purge again.",
    );
  }
  return "LeadLens's background stopped before it answered, so it cannot say which CRM fields still hold scores write-back wrote: any there stay until you empty those fields in the CRM. Nor whether Salesforce ended LeadLens's sign-in: if Salesforce was connected, check it under Setup → Connected Apps OAuth Usage.";
}

/** The CRM fields that still hold the scores write-back wrote, and that only the admin can empty them, in the CRM. */
function fieldsLeftInCrmWords(fieldsLeft: FieldsLeftInCrm): string {
  // "The Salesforce fields A and B, and the field C in a HubSpot portal connected before, still hold…"
  const named = fieldsLeft.map(({ crm, fields, inOrgConnectedBefore }) => {
    const fieldWords = `${fields.length === 1 ? 'field' : 'fields'} ${listInWords(fields)}`;
    return inOrgConnectedBefore ? `${fieldWords} in a ${CRM_LABEL[crm]} ${CRM_TERMS[crm].account} connected before` : `${CRM_LABEL[crm]} ${fieldWords}`;
  });
  const one = fieldsLeft.length === 1 && fieldsLeft[0].fields.length === 1;
  const crms = [...new Set(fieldsLeft.map(({ crm }) => CRM_LABEL[crm]))].join(' or ');
  return `The ${named.join(', and the ')}${named.length > 1 ? ',' : ''} still ${one ? 'holds' : 'hold'} the scores LeadLens wrote there, unless emptied since. LeadLens does not delete data in your CRM: to remove those scores, empty ${one ? 'that field' : 'those fields'} in ${crms}.`;
}

// What the purge waits for, which can take a while (lib/background/purge.ts).
const PURGING =
  'Purging: first stopping any running sync, write-back or CSV import and pausing the scoring of stored leads (each stops after its current request or batch)…';

// What came of it, then what it left in the CRM and a sign-in it could not end at Salesforce (said after it).
const PURGED = 'Everything LeadLens stored has been deleted.';

export function DataPrivacySection() {
  const queryClient = useQueryClient();
  const summary = useQuery({ queryKey: queryKeys.storedDataSummary(), queryFn: storedDataSummary });
  const purge = useMutation({ mutationFn: purgeEverything, onSettled: () => queryClient.invalidateQueries() });
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
          {/* Demo mode stores them under both CRMs' keys: they are not leads from either. */}
          <li>Demo leads: {summary.data.demoLeads.toLocaleString('en-US')}</li>
          <li>Stored lead scores: {summary.data.scores.toLocaleString('en-US')}</li>
          <li>Record-page scores cached: {summary.data.cachedScores.toLocaleString('en-US')}</li>
          <li>Models trained or imported: {summary.data.models.toLocaleString('en-US')}</li>
          {/* Chrome's estimate of the extension's files, which keep deleted records until it compacts them: a purge can make it grow. */}
          <li>
            Space used: {(summary.data.bytes / 1e6).toFixed(1)} MB on disk, deleted data included until the browser compacts its files, in
            its own time
          </li>
        </ul>
      )}
      <p>
        <ConfirmButton
          label="Purge everything…"
          question="Confirm purge"
          confirmLabel="Yes, purge everything"
          disabled={purge.isPending}
          onConfirm={() => purge.mutate()}
        >
          This stops any sync or write-back, then deletes every lead, score, model, setting and connection stored in this browser. It
          deletes nothing in Salesforce or HubSpot: the scores write-back wrote to CRM fields stay there until you empty those fields
          in the CRM. It keeps only the names of those fields, so that a new model never learns from the scores still in them. It
          cannot be undone.
        </ConfirmButton>
      </p>
      {purge.isPending && <ActionStatus text={PURGING} />}
      {/* One line, so what stays in the CRM and the sign-in left live are said with the result that takes the focus, not after it. */}
      {purge.isSuccess && <ActionStatus text={purge.data ? `${PURGED} ${purge.data}` : PURGED} />}
      {purge.isError && <ActionStatus failed text={purge.error.message} />}
    </>
  );
}
