/**
 * Write each synced lead's score (and, if chosen, tier and top reason) to fields the admin
 * created in the CRM, so reports, views and workflows there can use them. Progress (of the
 * field check and the scoring before the writing too), cancel and per-record failures, like sync.
 */
import { MADE_UP_LEADS_MODEL_WORDS, formatDay, formatModelDay, formatThreshold, plural, refusedThenReconnected } from '@/lib/presentation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { FocusKeepingButton, useFocusBackWhenJobEnds } from '@/components/KeepFocus';
import { ErrorState, JobProgressBar, Loading, StatusRegion } from '@/components/StatusMessage';
import type { ConnectionReply } from '@/lib/connections/schema';
import { CRM_LABEL, type CrmKind } from '@/lib/crm/types';
import { db } from '@/lib/db/db';
import { storedFieldsHeld } from '@/lib/db/write-back-report';
import { fieldsNoLongerWritten, forgetFieldsWritten, type FieldWritten } from '@/lib/db/written-back-fields';
import { background } from '@/lib/messaging/client';
import { succeeded } from '@/lib/messaging/reply';
import { isUnderway, WriteBackRequestSchema, type WriteBackRequest, type WriteBackSummary } from '@/lib/messaging/protocol-write-back';
import { learntFromMadeUpLeads } from '@/lib/ml/bundled-model';
import type { Manifest } from '@/lib/ml/manifest';
import { datedByItsData } from '@/lib/ml/outcome-rule';
import { queryKeys } from '@/lib/query-keys';
import { useActiveManifest, useInvalidateOnEvent, useJob } from '@/lib/ui/hooks';
import { useInvalidateWhenRunEnds } from '@/lib/ui/use-invalidate-when-run-ends';
import { ActionStatus, ConfirmedCancel } from './ConfirmedAction';

/** Field names the admin is told to create; the form starts with them. */
const SUGGESTED: Record<CrmKind, { scoreField: string; tierField: string; reasonField: string; kind: string }> = {
  salesforce: { scoreField: 'LeadLens_Score__c', tierField: 'LeadLens_Tier__c', reasonField: 'LeadLens_Reason__c', kind: 'Lead custom fields (API names)' },
  hubspot: { scoreField: 'leadlens_score', tierField: 'leadlens_tier', reasonField: 'leadlens_reason', kind: 'Contact properties (internal names)' },
};

/** The rule the background checks each field name with (`WriteBackRequestSchema`), checked here first to say what is wrong beside the field. */
const FieldNameSchema = WriteBackRequestSchema.shape.scoreField;

const FIELD_ROLES = { scoreField: 'score field', tierField: 'tier field', reasonField: 'top reason field' } as const;
type FieldRole = keyof typeof FIELD_ROLES;

/** Why `typed` cannot be sent as the `role`'s name, in the form's words, or null: a tier or reason left empty is skipped, the score is not. */
function fieldNameProblem(role: FieldRole, typed: string): string | null {
  if (role !== 'scoreField' && typed.trim() === '') return null;
  const parsed = FieldNameSchema.safeParse(typed);
  if (parsed.success) return null;
  const [issue] = parsed.error.issues;
  if (issue.code === 'too_small') return `Name the ${FIELD_ROLES[role]}: it cannot be empty or only spaces.`;
  if (issue.code === 'too_big') return `The ${FIELD_ROLES[role]}'s name is ${typed.trim().length} characters long: LeadLens takes field names of at most ${issue.maximum}.`;
  return `The ${FIELD_ROLES[role]}'s name cannot be used: ${issue.message}.`;
}

type WriteBackAction = { start: WriteBackRequest } | { cancel: CrmKind };
const crmOf = (action: WriteBackAction): CrmKind => ('start' in action ? action.start.crm : action.cancel);

export function WriteBackSection() {
  const queryClient = useQueryClient();
  const writeBacks = useQuery({
    queryKey: queryKeys.writeBacks(),
    queryFn: async () => {
      const summaries = (await succeeded(background.writeBackStatus({}))).writeBacks;
      // With each, the fields LeadLens wrote to that the last target which wrote (or found its values held) no longer
      // names, read where pages read stored data: an attempt that wrote nothing (a field refused) leaves them as they were.
      // A report of an older LeadLens, which kept no such target, gives its own.
      return Promise.all(
        summaries.map(async (writeBack) => {
          // No attempt yet (or since the report was deleted, with what its fields held): nothing to read.
          if (!writeBack.target) return { ...writeBack, noLongerWritten: [] };
          const target = (await storedFieldsHeld(db, writeBack))?.target ?? writeBack.target;
          return { ...writeBack, noLongerWritten: await fieldsNoLongerWritten(writeBack.crm, target) };
        }),
      );
    },
    refetchInterval: (query) => (query.state.data?.some((w) => isUnderway(w.status)) ? 500 : false),
  });
  // A sync removing leads takes their record ids out of the last report too (lib/db/write-back-report.ts): none stays on screen.
  useInvalidateOnEvent('storedDataDeleted', [queryKeys.writeBacks()]);
  // A 401 says "reconnect" in the connection's status; a write-back the CRM took ends that.
  useInvalidateWhenRunEnds(
    writeBacks.data,
    (writeBack) => (isUnderway(writeBack.status) ? null : [writeBack.status, writeBack.finishedAt, writeBack.error]),
    [queryKeys.connections()],
  );
  // As the Connections section reads them (the same query): connecting or disconnecting there updates the forms here.
  const connections = useQuery({ queryKey: queryKeys.connections(), queryFn: () => succeeded(background.connectionStatus({})).then((r) => r.connections) });
  // Followed live: a model activated or a tier policy applied elsewhere leaves the CRM's fields with the values written before.
  const active = useActiveManifest();
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
        HubSpot contacts per request. The top reason quotes the lead's own value ("Annual revenue: $280,000,000"): anyone who can
        read the reason field reads it, so give that field the visibility of the fields the model reads.
      </p>
      {/* Whose scores every user of the CRM will see: on a fresh install (or after another version's is imported, or one trained on Demo mode's leads is activated), a model's learnt from no lead of theirs. */}
      {active.data && (
        <p data-testid="write-back-model">
          The scores written are the active model&apos;s: {active.data.modelId}
          {learntFromMadeUpLeads(active.data) ? (
            <>
              , {MADE_UP_LEADS_MODEL_WORDS}. Every user of the CRM sees what is written: train a model on your own leads first, under{' '}
              <a href="#training">Train on your history</a>.
            </>
          ) : (
            '.'
          )}
        </p>
      )}
      {writeBacks.data.map(({ noLongerWritten, ...writeBack }) => (
        <WriteBackForm
          key={writeBack.crm}
          writeBack={writeBack}
          noLongerWritten={noLongerWritten}
          active={active.data}
          connection={connections.data?.find((connection) => connection.crm === writeBack.crm)?.status}
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
  noLongerWritten,
  active,
  connection,
  busy,
  refusal,
  onStart,
  onCancel,
}: {
  writeBack: WriteBackSummary;
  /** Fields LeadLens wrote to before that the last write-back's target no longer names. */
  noLongerWritten: readonly FieldWritten[];
  /** The active model, once read. */
  active: Manifest | undefined;
  /** The CRM's connection status, once read. */
  connection: ConnectionReply['status'] | undefined;
  busy: boolean;
  refusal: string | null;
  onStart(request: WriteBackRequest): void;
  onCancel(): void;
}) {
  const { crm } = writeBack;
  const label = CRM_LABEL[crm];
  const scoring = useJob('scoring');
  // The shared bulk-scoring job, run for this CRM's leads only (its `source`), which the write-back waits for.
  const scoringBar = writeBack.status === 'scoring' && scoring?.state === 'running' && scoring.source === crm ? scoring : null;
  const initial = writeBack.target ?? SUGGESTED[crm];
  const [scoreField, setScoreField] = useState(initial.scoreField ?? '');
  const [tierField, setTierField] = useState(initial.tierField ?? '');
  const [reasonField, setReasonField] = useState(initial.reasonField ?? '');
  // What is wrong with each field's name, found at the last submit (its `attempt`: said again at each), until that field is changed.
  const [problems, setProblems] = useState<{ attempt: number; of: Partial<Record<FieldRole, string>> }>({ attempt: 0, of: {} });
  const problemIds = useId();
  // Without a working connection the write-back could only fail: the button waits for one, and says where to make it.
  const connectFirst = connection !== undefined && connection !== 'connected';
  const connectFirstId = useId();
  const underway = isUnderway(writeBack.status);
  const startUnavailable = busy || connectFirst;
  // Write scores gives way to Cancel writing… as a write-back starts, and comes back as it ends: the focus goes with them
  // once the admin has used them here (a write-back asked for, the focus on its Cancel), not at a page opened meanwhile.
  const [focusFollows, setFocusFollows] = useState(false);
  const startButton = useRef<HTMLButtonElement>(null);
  useFocusBackWhenJobEnds(underway && focusFollows, startButton);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Enter in a field submits too: not while the button cannot be used.
    if (startUnavailable) return;
    const typed = { scoreField, tierField, reasonField };
    const wrong: Partial<Record<FieldRole, string>> = {};
    for (const role of Object.keys(FIELD_ROLES) as FieldRole[]) {
      const problem = fieldNameProblem(role, typed[role]);
      if (problem) wrong[role] = problem;
    }
    setProblems(({ attempt }) => ({ attempt: attempt + 1, of: wrong }));
    if (Object.keys(wrong).length > 0) return;
    setFocusFollows(true);
    // Sent as the background reads them: trimmed, an empty tier or reason left out.
    onStart({ crm, scoreField: scoreField.trim(), tierField: tierField.trim() || undefined, reasonField: reasonField.trim() || undefined });
  };
  const field = (role: FieldRole, name: string, text: string, value: string, set: (value: string) => void, required = false) => {
    const problem = problems.of[role];
    const problemId = `${problemIds}-${role}`;
    return (
      <>
        {/* Each on its own line, so a label does not run into the field before it. */}
        <label style={{ display: 'block' }}>
          {text}{' '}
          <input
            name={`${crm}-${name}`}
            value={value}
            // Not `required`: the browser's own "Please fill out this field." would stop the submit before the form says it beside the field.
            aria-required={required || undefined}
            onChange={(event) => {
              set(event.target.value);
              setProblems(({ attempt, of }) => ({ attempt, of: { ...of, [role]: undefined } }));
            }}
            spellCheck={false}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? problemId : undefined}
          />
        </label>
        {problem && <ErrorState key={problems.attempt} id={problemId} message={problem} />}
      </>
    );
  };
  return (
    <form onSubmit={submit} data-testid={`write-back-${crm}`} data-status={writeBack.status} data-written={writeBack.written}>
      <h3>{label}</h3>
      <p>{SUGGESTED[crm].kind}; leave tier or reason empty to skip them.</p>
      {field('scoreField', 'score-field', 'Score field', scoreField, setScoreField, true)}
      {field('tierField', 'tier-field', 'Tier field', tierField, setTierField)}
      {field('reasonField', 'reason-field', 'Top reason field', reasonField, setReasonField)}
      {/* On the page before the write-back starts, so that each stage and the end are announced; a bar's counts are read in place. */}
      <StatusRegion>
        <WriteBackStage writeBack={writeBack} scoringShown={scoringBar !== null} />
      </StatusRegion>
      <OutdatedFieldsNote writeBack={writeBack} active={active} />
      <NoLongerWrittenNote crm={crm} fields={noLongerWritten} />
      {scoringBar && <JobProgressBar label={scoringLabel(crm)} done={scoringBar.done} total={scoringBar.total} />}
      {writeBack.status === 'running' && <JobProgressBar label={`Writing scores to ${label}`} done={writeBack.done} total={writeBack.total} />}
      {refusal && <ErrorState message={refusal} />}
      {/* A refusal is of the newest attempt, refused before it became a run: the last run's stop, of fields maybe no longer in the form, is not said beside it. */}
      {!refusal && writeBack.error && <ErrorState message={`The write-back to ${label} stopped: ${stopReason(writeBack, connection)}`} />}
      {writeBack.failures.map((failure) => (
        <ErrorState key={failure.error} message={`${failure.count.toLocaleString('en-US')} not written: ${failure.error}${examplesOf(failure.recordIds)}`} />
      ))}
      {writeBack.unlistedFailures > 0 && <ErrorState message={`${plural(writeBack.unlistedFailures, 'more lead', 'more leads')} not written for other reasons.`} />}
      {/* Not failures: what a rep typed since the last sync is kept on purpose. */}
      {writeBack.notCleared.map((group) => (
        <p key={group.reason}>{`${plural(group.count, 'lead', 'leads')} not emptied: ${group.reason}${examplesOf(group.recordIds)}.`}</p>
      ))}
      {writeBack.unlistedNotCleared > 0 && <p>{`${plural(writeBack.unlistedNotCleared, 'more lead', 'more leads')} not emptied for other reasons.`}</p>}
      {!underway && connectFirst && (
        <p id={connectFirstId}>
          <a href="#connections" data-testid={`write-back-connect-${crm}`}>
            {connection === 'disconnected' ? 'Connect' : 'Reconnect'} {label} under CRM connections first
          </a>
        </p>
      )}
      {underway ? (
        <ConfirmedCancel
          testId={`cancel-write-back-${crm}`}
          takesFocus={focusFollows}
          onFocus={() => setFocusFollows(true)}
          label="Cancel writing…"
          question={`Confirm cancelling the write-back to ${CRM_LABEL[crm]}`}
          confirmLabel="Yes, cancel writing"
          keepLabel="Keep writing"
          onConfirm={onCancel}
        >
          {`Cancelling stops the write-back: what it has written to ${CRM_LABEL[crm]} stays, and the leads it has not written yet keep the values they have there.`}
        </ConfirmedCancel>
      ) : (
        <FocusKeepingButton
          ref={startButton}
          type="submit"
          unavailable={startUnavailable}
          aria-describedby={connectFirst ? connectFirstId : undefined}
          data-testid={`start-write-back-${crm}`}
        >
          Write scores to {label}
        </FocusKeepingButton>
      )}
    </form>
  );
}


/** Why the write-back stopped: a refusal of credentials reconnected since no longer asks the step it names. */
const stopReason = ({ crm, error, stoppedBySignInRefusal }: WriteBackSummary, connection: ConnectionReply['status'] | undefined) =>
  stoppedBySignInRefusal && connection === 'connected' ? refusedThenReconnected(crm) : error;

/** ` (e.g. 00Q1, 00Q2, 00Q3)`: a group's first record ids; none when a sync removed every one it listed since. */
const examplesOf = (recordIds: readonly string[]) => (recordIds.length === 0 ? '' : ` (e.g. ${recordIds.slice(0, 3).join(', ')})`);

const scoringLabel = (crm: CrmKind) => `Scoring the leads synced from ${CRM_LABEL[crm]}`;

/**
 * The write-back's stage, or how it ended, in words. Where a progress bar shows the stage
 * (`scoringShown`, writing), the words are only spoken: the bar's label says them in sight.
 */
function WriteBackStage({ writeBack, scoringShown }: { writeBack: WriteBackSummary; scoringShown: boolean }) {
  const label = CRM_LABEL[writeBack.crm];
  switch (writeBack.status) {
    case 'checking':
      return <p>Checking that {label} lets LeadLens fill these fields…</p>;
    case 'scoring':
      // Shown too while its job has not started (another scoring job's turn), or has ended and the leads to write are being chosen.
      return <p className={scoringShown ? 'visually-hidden' : undefined}>{scoringLabel(writeBack.crm)}…</p>;
    case 'running':
      return <p className="visually-hidden">Writing scores to {label}…</p>;
    case 'done':
      return (
        <p>
          {writeBack.total === 0
            ? `Nothing to write: ${writeBack.unchanged === 1 ? 'the lead' : `all ${writeBack.unchanged.toLocaleString('en-US')} leads`} already held these values in ${label} when last synced`
            : `Wrote ${writeBack.written.toLocaleString('en-US')} of ${plural(writeBack.total, 'lead', 'leads')} to ${label}`}
          {writeBack.finishedAt !== null && `, ${new Date(writeBack.finishedAt).toLocaleString()}`}.
          {writeBack.total > 0 && writeBack.unchanged > 0 && ` ${plural(writeBack.unchanged, 'other lead', 'other leads')} already held these values when last synced: not written again.`}
          {writeBack.cleared > 0 &&
            ` ${plural(writeBack.cleared, 'of them was', 'of them were')} emptied: the active model cannot score ${writeBack.cleared === 1 ? 'that lead' : 'those leads'}, and the values LeadLens wrote there before are no longer ${writeBack.cleared === 1 ? 'its score' : 'their scores'}. Values LeadLens did not write, or that were changed since, are left as they are.`}
          {convertedNote(writeBack)}
        </p>
      );
    case 'cancelled':
      return (
        <p>
          {writeBack.written === 0 && writeBack.unconfirmed === 0 ? 'Cancelled before anything was written.' : `Cancelled: ${writtenSoFar(writeBack)}; what was written stays.`}
          {unconfirmedNote(writeBack)}
          {convertedNote(writeBack)}
        </p>
      );
    case 'error':
      // The alert says why it stopped; this says how far it got.
      return writeBack.total > 0 ? (
        <p>
          Before it stopped: {writtenSoFar(writeBack)}.{unconfirmedNote(writeBack)}
          {convertedNote(writeBack)}
        </p>
      ) : null;
    case 'idle':
      return null;
  }
}

/**
 * "ebm-4be05ee5927d0fe7 (dated Nov 1, 2026)": a model id alone is a hash. Dated, not "trained": a model the command line
 * trained is dated by its data (`datedByItsData`), shown as its data wrote it (a record written before that was kept: the browser's day).
 */
const modelName = (modelId: string, createdAt: string, datedByData: boolean | undefined) => `${modelId} (dated ${formatModelDay(createdAt, datedByData)})`;

/** "hot from 30%, warm from 10%". */
const thresholdsText = ({ hot, warm }: { hot: number; warm: number }) => `hot from ${formatThreshold(hot)}, warm from ${formatThreshold(warm)}`;

/**
 * Says when the CRM's fields no longer hold what the active model gives its leads: they keep the
 * last write-back's values (which the CRM's reports, workflows and routing read) after another
 * model is activated, or a tier policy applied (tiers, and the top reason, chosen by tier), or
 * hold a mix of tiers when a policy was applied while it wrote, or of models or tiers when one
 * stopped before it wrote every lead. `writtenWith` is what the fields hold, an earlier
 * write-back's too when the last wrote nothing. Nothing while a write-back runs, or for one kept
 * by an older LeadLens, which did not record what it wrote with.
 */
function OutdatedFieldsNote({ writeBack, active }: { writeBack: WriteBackSummary; active: Manifest | undefined }) {
  const { writtenWith, target, crm } = writeBack;
  if (!writtenWith || !active || !target || isUnderway(writeBack.status)) return null;
  const label = CRM_LABEL[crm];
  if (writtenWith.modelsMixed) {
    return (
      <p data-testid={`write-back-outdated-${crm}`}>
        {`A write-back stopped before it wrote every lead: the ${label} fields, which its reports, workflows and routing read, hold scores of more than one model, not all those the badges show. Write back again to update them.`}
      </p>
    );
  }
  if (writtenWith.modelId !== active.modelId) {
    return (
      <p data-testid={`write-back-outdated-${crm}`}>
        {`Written with model ${modelName(writtenWith.modelId, writtenWith.modelCreatedAt, writtenWith.modelDatedByData)}; the active model is now ${modelName(active.modelId, active.createdAt, datedByItsData(active))}: the ${label} fields, which its reports, workflows and routing read, hold the earlier model's scores, not those the badges show. Write back again to update them.`}
      </p>
    );
  }
  const tieredFields = [target.tierField, target.reasonField].filter((field) => field !== null);
  if (tieredFields.length === 0) return null;
  const fields = tieredFields.length === 1 ? `the ${label} field ${tieredFields[0]} holds` : `the ${label} fields ${tieredFields.join(' and ')} hold`;
  if (writtenWith.tiersMixed) {
    const mix = !target.reasonField ? 'tiers' : !target.tierField ? 'top reasons chosen by tiers' : 'tiers, and top reasons chosen by them,';
    return (
      <p data-testid={`write-back-outdated-${crm}`}>
        {`Tier thresholds changed while these fields were written (a tier policy applied while a write-back wrote, or one stopped before it wrote every lead): ${fields} ${mix} of more than one set of thresholds, not all those the badges show. Write back again to update them.`}
      </p>
    );
  }
  if (writtenWith.hot === active.tiers.hot && writtenWith.warm === active.tiers.warm) return null;
  const held = !target.reasonField ? 'the earlier tiers' : !target.tierField ? 'the top reasons chosen by the earlier tiers' : 'the earlier tiers, and the top reasons chosen by them';
  return (
    <p data-testid={`write-back-outdated-${crm}`}>
      {`Written with tier thresholds since changed (${thresholdsText(writtenWith)}; now ${thresholdsText(active.tiers)}): ${fields} ${held}, not those the badges show. Write back again to update them.`}
    </p>
  );
}

const HELD_WORDS: Record<FieldWritten['holds'], string> = { score: 'scores', tier: 'tiers', reason: 'top reasons' };

/**
 * Names the fields LeadLens wrote to before and no longer updates (the admin left a field out of
 * the target, or moved it to another field), and what they held when it last wrote there: every
 * lead keeps the last value written, a lead no longer scored too, and the CRM's reports, workflows
 * and routing go on acting on them. LeadLens leaves them as they are and does not see them
 * emptied or deleted in the CRM: the admin names them again, or empties them and forgets each
 * here. A field forgotten, a status line says so and takes the focus its gone button had.
 */
function NoLongerWrittenNote({ crm, fields }: { crm: CrmKind; fields: readonly FieldWritten[] }) {
  const queryClient = useQueryClient();
  const hintId = useId();
  const forget = useMutation({
    // Given the button that started it (`ActionStatus`'s trigger): disabled meanwhile, the focus it had goes to the result.
    mutationFn: async ({ field }: { field: FieldWritten; trigger: Element }) => forgetFieldsWritten(crm, [field]),
    // Read again before the forgetting ends: its field's line goes as the status line comes.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.writeBacks() }),
  });
  const label = CRM_LABEL[crm];
  const one = fields.length === 1;
  const it = one ? 'it' : 'them';
  return (
    <>
      {fields.length > 0 && (
        <div data-testid={`write-back-no-longer-written-${crm}`}>
          {fields.map((field) => (
            <p key={field.name}>
              {`LeadLens last wrote ${HELD_WORDS[field.holds]} to ${field.name} on ${formatDay(field.lastWrittenAt)} and no longer updates it: unless emptied since, it still holds them.`}{' '}
              <button type="button" disabled={forget.isPending} aria-describedby={hintId} onClick={(event) => forget.mutate({ field, trigger: event.currentTarget })}>
                Forget {field.name}
              </button>
            </p>
          ))}
          <p>
            {`${label}'s reports, workflows and routing may still act on these values, even on leads whose score has changed or been emptied since. Name ${it} again above to keep ${it} up to date, or empty ${it} in ${label}: LeadLens leaves ${it} as ${one ? 'it is' : 'they are'}. `}
            <span id={hintId}>{`Once a field is emptied or deleted in ${label}, forget it here: LeadLens does not see that.`}</span>
          </p>
        </div>
      )}
      {/* Keyed by the click: each forgetting's line is new, and takes the focus again. */}
      {forget.isSuccess && <ActionStatus key={forget.submittedAt} text={`Forgot ${forget.variables.field.name}: LeadLens no longer says what it holds.`} trigger={forget.variables.trigger} />}
      {forget.isError && (
        <ActionStatus key={forget.submittedAt} failed text={`${forget.variables.field.name} could not be forgotten: ${forget.error.message}`} trigger={forget.variables.trigger} />
      )}
    </>
  );
}

/** "wrote 30,000 of 100,000 leads to Salesforce": what a stopped or cancelled write-back leaves written. */
function writtenSoFar({ written, total, crm }: WriteBackSummary): string {
  return `wrote ${written.toLocaleString('en-US')} of ${plural(total, 'lead', 'leads')} to ${CRM_LABEL[crm]}`;
}

/** The batch under way when it stopped: sent, its answer never read. */
function unconfirmedNote({ unconfirmed, crm }: WriteBackSummary): string {
  if (unconfirmed === 0) return '';
  return ` ${plural(unconfirmed, 'lead was', 'leads were')} being sent when it stopped: ${CRM_LABEL[crm]} may or may not have written ${unconfirmed === 1 ? 'it' : 'them'}. Write back again to be sure.`;
}

/** The synced leads it left out of its counts (`converted`), which would otherwise go unsaid: a converted Salesforce Lead is read-only. */
function convertedNote({ converted }: WriteBackSummary): string {
  if (converted === 0) return '';
  return ` ${plural(converted, 'converted Lead was', 'converted Leads were')} not written: Salesforce lets no one update a converted Lead.`;
}
