/**
 * Write each synced lead's score (and, if chosen, tier and top reason) to fields the admin
 * created in the CRM, so reports, views and workflows there can use them. Progress (of the
 * field check and the scoring before the writing too), cancel and per-record failures, like sync.
 */
import { plural } from '@/lib/presentation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorState, JobProgressBar, Loading } from '@/components/StatusMessage';
import { CRM_LABEL, type CrmKind } from '@/lib/crm/types';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { isUnderway, type WriteBackRequest, type WriteBackSummary } from '@/lib/messaging/protocol-write-back';
import { queryKeys } from '@/lib/query-keys';
import { useJob } from '@/lib/ui/hooks';
import { useInvalidateWhenRunEnds } from './use-invalidate-when-run-ends';

/** Field names the admin is told to create; the form starts with them. */
const SUGGESTED: Record<CrmKind, { scoreField: string; tierField: string; reasonField: string; kind: string }> = {
  salesforce: { scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'LeadLens_Reason__c', kind: 'Lead custom fields (API names)' },
  hubspot: { scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason', kind: 'contact properties (internal names)' },
};

type WriteBackAction = { start: WriteBackRequest } | { cancel: CrmKind };
const crmOf = (action: WriteBackAction): CrmKind => ('start' in action ? action.start.crm : action.cancel);

export function WriteBackSection() {
  const queryClient = useQueryClient();
  const writeBacks = useQuery({
    queryKey: queryKeys.writeBacks(),
    queryFn: async () => {
      return (await succeeded(background.writeBackStatus({}))).writeBacks;
    },
    refetchInterval: (query) => (query.state.data?.some((w) => isUnderway(w.status)) ? 500 : false),
  });
  // A 401 says "reconnect" in the connection's status; a write-back the CRM took ends that.
  useInvalidateWhenRunEnds(
    writeBacks.data,
    (writeBack) => (isUnderway(writeBack.status) ? null : [writeBack.status, writeBack.finishedAt, writeBack.error]),
    [queryKeys.connections()],
  );
  const act = useMutation({
    mutationFn: async (action: WriteBackAction) => {
      await succeeded('start' in action ? background.writeBackScores(action.start) : background.cancelWriteBack({ crm: action.cancel }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.writeBacks() }),
  });

  if (writeBacks.isPending) return <Loading what="write-back status" />;
  if (writeBacks.isError) return <ErrorState message={writeBacks.error.message} />;
  return (
    <>
      <p>
        Optionally write each synced lead's score (1–99), tier and strongest reason to fields you create in your CRM, for its reports,
        list views and workflows. LeadLens writes only to the fields named here, through your connection, 200 Salesforce leads or 100
        HubSpot contacts per request.
      </p>
      {writeBacks.data.map((writeBack) => (
        <WriteBackForm
          key={writeBack.crm}
          writeBack={writeBack}
          busy={act.isPending}
          // A start or cancel the background refused is said in its CRM's form; why a write-back
          // stopped (a field the CRM will not let it fill, no connection) is its state's error.
          refusal={act.isError && act.variables && crmOf(act.variables) === writeBack.crm ? act.error.message : null}
          onStart={(request) => act.mutate({ start: request })}
          onCancel={() => act.mutate({ cancel: writeBack.crm })}
        />
      ))}
    </>
  );
}

function WriteBackForm({
  writeBack,
  busy,
  refusal,
  onStart,
  onCancel,
}: {
  writeBack: WriteBackSummary;
  busy: boolean;
  refusal: string | null;
  onStart(request: WriteBackRequest): void;
  onCancel(): void;
}) {
  const { crm } = writeBack;
  const label = CRM_LABEL[crm];
  const initial = writeBack.target ?? SUGGESTED[crm];
  const [scoreField, setScoreField] = useState(initial.scoreField ?? '');
  const [tierField, setTierField] = useState(initial.tierField ?? '');
  const [reasonField, setReasonField] = useState(initial.reasonField ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onStart({ crm, scoreField, tierField: tierField.trim() || undefined, reasonField: reasonField.trim() || undefined });
  };
  const field = (name: string, text: string, value: string, set: (value: string) => void, required = false) => (
    <label>
      {text} <input name={`${crm}-${name}`} value={value} required={required} onChange={(event) => set(event.target.value)} spellCheck={false} />
    </label>
  );
  return (
    <form onSubmit={submit} data-testid={`write-back-${crm}`} data-status={writeBack.status} data-written={writeBack.written}>
      <h3>{label}</h3>
      <p>{SUGGESTED[crm].kind}; leave tier or reason empty to skip them.</p>
      {field('score-field', 'Score field', scoreField, setScoreField, true)}
      {field('tier-field', 'Tier field', tierField, setTierField)}
      {field('reason-field', 'Top reason field', reasonField, setReasonField)}
      {writeBack.status === 'checking' && <p role="status">Checking that {label} lets LeadLens fill these fields…</p>}
      {writeBack.status === 'scoring' && <ScoringProgress crm={crm} />}
      {writeBack.status === 'running' && <JobProgressBar label={`Writing scores to ${label}`} done={writeBack.done} total={writeBack.total} />}
      {writeBack.status === 'done' && (
        <p role="status">
          {writeBack.total === 0
            ? `Nothing to write: ${writeBack.unchanged === 1 ? 'the lead' : `all ${writeBack.unchanged.toLocaleString('en-US')} leads`} already held these values in ${label} when last synced`
            : `Wrote ${writeBack.written.toLocaleString('en-US')} of ${plural(writeBack.total, 'lead', 'leads')} to ${label}`}
          {writeBack.finishedAt !== null && `, ${new Date(writeBack.finishedAt).toLocaleString()}`}.
          {writeBack.total > 0 && writeBack.unchanged > 0 && ` ${plural(writeBack.unchanged, 'other lead', 'other leads')} already held these values when last synced: not written again.`}
        </p>
      )}
      {writeBack.status === 'cancelled' && (
        <p role="status">
          {writeBack.done === 0 ? 'Cancelled before anything was written.' : `Cancelled after ${plural(writeBack.done, 'lead', 'leads')}; what was written stays.`}
        </p>
      )}
      {refusal && <ErrorState message={refusal} />}
      {writeBack.error && <ErrorState message={`The write-back to ${label} stopped: ${writeBack.error}`} />}
      {writeBack.failures.map((failure) => (
        <ErrorState key={failure.error} message={`${failure.count.toLocaleString('en-US')} not written: ${failure.error} (e.g. ${failure.recordIds.slice(0, 3).join(', ')})`} />
      ))}
      {isUnderway(writeBack.status) ? (
        <button type="button" disabled={busy} onClick={onCancel} data-testid={`cancel-write-back-${crm}`}>
          Cancel
        </button>
      ) : (
        <button type="submit" disabled={busy} data-testid={`start-write-back-${crm}`}>
          Write scores to {label}
        </button>
      )}
    </form>
  );
}

/**
 * How far the scoring of the CRM's stored leads is, which the write-back waits for: the shared
 * bulk-scoring job, run for this CRM's leads only (its `source`).
 */
function ScoringProgress({ crm }: { crm: CrmKind }) {
  const scoring = useJob('scoring');
  const label = `Scoring the leads synced from ${CRM_LABEL[crm]}`;
  if (scoring?.state === 'running' && scoring.source === crm) return <JobProgressBar label={label} done={scoring.done} total={scoring.total} />;
  // Its job has not started (another scoring job's turn), or it has ended and the leads to write are being chosen.
  return <p role="status">{label}…</p>;
}
