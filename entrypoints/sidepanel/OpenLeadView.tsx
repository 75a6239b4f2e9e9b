import { Fragment, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { DeviationsTable, HotterPlanView } from '@/components/LeadInsights';
import { EmptyState, ErrorState, Loading } from '@/components/StatusMessage';
import { TierLabel } from '@/components/TierLabel';
import { Waterfall } from '@/components/Waterfall';
import type { Reason } from '@/lib/messaging/protocol';
import { CRM_LABEL } from '@/lib/crm/types';
import type { ExplainedLead } from '@/lib/messaging/protocol-leads';
import { calibrationBand, describeCalibrationBand } from '@/lib/ml/calibration-band';
import { startingPoint } from '@/lib/ml/explain';
import { deviationsFromIdeal, featuresNotRead, modelHasShapes, whatWouldMakeHotter } from '@/lib/ml/insights';
import type { SourceKind } from '@/lib/ml/featurize';
import type { Manifest } from '@/lib/ml/manifest';
import {
  COULD_NOT_SCORE,
  MADE_UP_LEADS_MODEL_WORDS,
  convertedInWords,
  describeLikelihood,
  DIRECTION_LOOK,
  EVERYTHING_PURGED,
  fewSignalsInWords,
  plural,
  reasonInWords,
  REASONS_HEADING,
  topReasons,
} from '@/lib/presentation';
import { useManifest, useOpenLead, useStoredLeadExplained } from './hooks';

/**
 * Said, as the badge says it, wherever the panel shows scores of a model learnt from made-up demo
 * leads (`learntFromMadeUpLeads`): the open lead's, and the segments' and top leads': a rep could
 * take them for ones learnt from their own leads.
 */
export function MadeUpLeadsModelNote() {
  return (
    <p role="note" data-testid="default-model-note" style={{ margin: '4px 0', fontSize: 12 }}>
      Scored by {MADE_UP_LEADS_MODEL_WORDS}.
    </p>
  );
}

/** Reasons said in words each way; the rest are counted, and listed in the table under the chart. */
const REASONS_IN_WORDS = 5;

/** The strongest reasons that move the odds, each way, in the words of the badge's popover. */
function ReasonsInWords({ reasons }: { reasons: Reason[] }) {
  const sides = topReasons(reasons, reasons.length);
  return (['up', 'down'] as const).map(
    (direction) =>
      sides[direction].length > 0 && (
        <Fragment key={direction}>
          <h3 style={{ fontSize: 14 }}>{REASONS_HEADING[direction]}</h3>
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {sides[direction].slice(0, REASONS_IN_WORDS).map((reason) => {
              const { label, value, effect } = reasonInWords(reason);
              return (
                <li key={label} data-reason={direction} style={{ display: 'flex', gap: 6, margin: '3px 0' }}>
                  <span aria-hidden="true" style={{ color: DIRECTION_LOOK[direction].colour, fontWeight: 700 }}>
                    {DIRECTION_LOOK[direction].arrow}
                  </span>
                  <span>
                    {/* isolated: a direction control in a CRM value cannot reorder the words after it */}
                    <strong>{label}</strong>: <bdi className="wraps-anywhere">{value}</bdi> ({effect})
                  </span>
                </li>
              );
            })}
          </ul>
          {sides[direction].length > REASONS_IN_WORDS && (
            <p style={{ margin: '3px 0', fontSize: 12 }} data-reasons-more={direction}>
              {plural(sides[direction].length - REASONS_IN_WORDS, 'weaker reason', 'weaker reasons')}{' '}
              {`${direction === 'up' ? 'raise' : 'lower'}${sides[direction].length - REASONS_IN_WORDS === 1 ? 's' : ''}`} it too: every reason is in the table
              under the chart.
            </p>
          )}
        </Fragment>
      ),
  );
}

/** `lead`, of `source` (its CRM, or an imported file), explained in full. */
function Explanation({ lead, source, manifest }: { lead: ExplainedLead; source: SourceKind; manifest: Manifest }) {
  const row = useMemo(() => lead.row.map((value) => value ?? Number.NaN), [lead.row]);
  const band = calibrationBand(manifest, lead.probability);
  const shapes = modelHasShapes(manifest);
  // Everything said of the lead's tier uses the thresholds it was tiered by: during a tier-policy change the
  // lead is read again with the badges, while `manifest` keeps the old thresholds until the re-tier ends.
  const tieredAsTheLead: Manifest = useMemo(() => ({ ...manifest, tiers: { ...manifest.tiers, ...lead.tiers } }), [manifest, lead.tiers]);
  // Read from the page alone, a field it does not show is not known: neither planned nor compared, and named as such.
  const notRead = featuresNotRead(manifest, row, source, lead.fieldsRead);
  // A lead converted already gets no plan, as its badge gets none: a rep is not to chase a customer.
  const plans = shapes && !lead.converted;
  // Worked out once per lead and model, not on every render: a plan can search thousands of sets of changes.
  const plan = useMemo(
    () => (plans ? whatWouldMakeHotter(tieredAsTheLead, row, lead.contributions, source, lead.tier, lead.fieldsRead, lead.valuesAsWritten) : null),
    [plans, tieredAsTheLead, row, lead, source],
  );
  const fewSignals = fewSignalsInWords(lead.featuresKnown, lead.featuresTotal);
  const deviations = useMemo(() => (shapes ? deviationsFromIdeal(manifest, row, source, lead.valuesAsWritten, lead.fieldsRead) : []), [shapes, manifest, row, lead, source]);
  return (
    <>
      <p style={{ fontSize: 15, margin: '4px 0' }}>
        <strong><bdi className="wraps-anywhere">{lead.name}</bdi></strong> · <TierLabel tier={lead.tier} /> · score {lead.score} of 99
      </p>
      {lead.converted && (
        <p role="note" data-testid="open-lead-converted" style={{ margin: '4px 0', fontWeight: 600 }}>
          {convertedInWords(lead.converted, (value) => <bdi className="wraps-anywhere">{value}</bdi>).map((part, i) => (
            <Fragment key={i}>{part}</Fragment>
          ))}
        </p>
      )}
      <p style={{ margin: '4px 0' }}>{describeLikelihood(lead.probability, lead.baseRate, lead.tiers)}.</p>
      {band && (
        <p style={{ margin: '4px 0' }}>
          {describeCalibrationBand(band)}
        </p>
      )}
      {fewSignals !== null && (
        <p role="note" data-testid="open-lead-few-signals" style={{ margin: '4px 0' }}>
          {fewSignals}
        </p>
      )}
      {lead.modelLearntFromMadeUpLeads && <MadeUpLeadsModelNote />}
      {/* In the badge's words: the values come from the CRM record as well as the page. */}
      <p style={{ margin: '4px 0', fontSize: 12 }}>
        {lead.featuresKnown} of {lead.featuresTotal} signals known.
      </p>
      <ReasonsInWords reasons={lead.reasons} />
      <h3 style={{ fontSize: 14 }}>How the score adds up</h3>
      <Waterfall start={startingPoint(manifest, lead.contributions, source)} reasons={lead.reasons} tiers={lead.tiers} />
      {shapes ? (
        <>
          {plans && (
            <>
              <h3 style={{ fontSize: 14 }}>What would make this lead hotter</h3>
              <HotterPlanView plan={plan} tiers={lead.tiers} notOnPage={notRead.planned} />
            </>
          )}
          {/* A heading of its own: its fit rows (lead source, industry) are no part of the plan above, nothing a rep could change. */}
          <h3 style={{ fontSize: 14 }}>How this lead compares with the ideal customer</h3>
          {/* A file's lead is its whole stored row: no field of it is left off a page. */}
          <DeviationsTable deviations={deviations} notOnPage={source === 'csv' ? undefined : { crm: source, labels: notRead.compared }} />
        </>
      ) : (
        <p className="no-shapes">
          This model does not include its shape functions, so LeadLens cannot compare the lead with the ideal customer or say what
          would make it hotter. Models trained in LeadLens include them.
        </p>
      )}
    </>
  );
}

/**
 * How long a record page may take to ask for its lead's score before the panel says why it may
 * not: a badge keeps loading up to 15 s on a slow page, then asks all the same.
 */
export const READING_PATIENCE_MS = 20_000;

/** The tab is on a record page that has not asked to score its lead yet: loading, or a tab LeadLens does not run in. */
function ReadingLead() {
  const [overdue, setOverdue] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setOverdue(true), READING_PATIENCE_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <>
      <Loading what="the lead this tab shows" />
      {overdue && (
        <p>
          LeadLens has not read this lead yet. If the page shows no LeadLens badge beside its name, reload the page (a tab opened
          before LeadLens was installed or updated has none).
        </p>
      )}
    </>
  );
}

/** `lead`, of `source`, explained in full once the manifest of the model that scored it is read. */
function ExplanationByItsModel({ lead, source }: { lead: ExplainedLead; source: SourceKind }) {
  const manifest = useManifest(lead.modelId);
  if (manifest.isPending) return <Loading what="the model" />;
  if (manifest.isError) return <ErrorState message={manifest.error.message} />;
  return <Explanation lead={lead} source={source} manifest={manifest.data} />;
}

/** The file's lead `leadKey`, explained in full by the background from its stored fields (`explainStoredLead`). */
function FileLeadExplanation({ leadKey }: { leadKey: string }) {
  const answer = useStoredLeadExplained(leadKey);
  if (answer.isPending || (answer.isError && answer.isFetching)) return <Loading what="the lead" />;
  if (answer.isError) return <ErrorState message={`${COULD_NOT_SCORE}: ${answer.error.message}`} />;
  return <ExplanationByItsModel lead={answer.data} source="csv" />;
}

interface OpenLeadViewProps {
  /**
   * The stored lead key of an imported file's lead chosen from the top leads (it has no CRM page to
   * open), explained here in place of the CRM tab's lead until `onBack`; null: the CRM tab's.
   */
  fileLeadKey?: string | null;
  onBack?(): void;
  /**
   * Whether the top leads list a file's lead now: with no lead open, the card offers choosing one
   * there only then, not to a rep whose list has none (no file imported, its leads filtered out,
   * cold, converted or lost).
   */
  fileLeadsListed?: boolean;
}

/**
 * The lead open in the active CRM tab, explained in full; or a file's lead chosen from the top
 * leads (`fileLeadKey`), with the way back to the CRM tab's. The tab's lead is read meanwhile, so the
 * way back names it and shows it at once.
 */
export function OpenLeadView({ fileLeadKey = null, onBack, fileLeadsListed = false }: OpenLeadViewProps = {}) {
  const { lead: answer, tabId } = useOpenLead();
  const lead = answer.data?.lead;
  const heading = useRef<HTMLHeadingElement>(null);
  const card = useRef<HTMLElement>(null);
  // Read before this render's changes land. Another lead opened in the tab replaces the card's body,
  // and with it an element of the old one the rep had focused (a reasons table's summary): the focus
  // goes to the card's heading, not to the top of the page, where the next Tab would start again.
  const focusWasInCard = card.current?.contains(document.activeElement) ?? false;
  useLayoutEffect(() => {
    if (focusWasInCard && !card.current?.contains(document.activeElement)) heading.current?.focus();
  });
  // Choosing a file's lead, another, or going back changes the card, above the list the rep was in: the focus goes to its heading.
  const lastFileLeadKey = useRef(fileLeadKey);
  useEffect(() => {
    if (lastFileLeadKey.current !== fileLeadKey) heading.current?.focus();
    lastFileLeadKey.current = fileLeadKey;
  }, [fileLeadKey]);
  let body;
  if (fileLeadKey !== null) {
    body = (
      <>
        <button type="button" className="link-button" onClick={onBack} data-testid="back-to-open-lead">
          {lead ? (
            <>
              Back to <bdi className="wraps-anywhere">{lead.name}</bdi>, open in {CRM_LABEL[lead.crm]}
            </>
          ) : (
            'Back to the lead open in your CRM'
          )}
        </button>
        {/* Keyed by the lead: another one chosen is read afresh, not shown over the last one's answer. */}
        <FileLeadExplanation key={fileLeadKey} leadKey={fileLeadKey} />
      </>
    );
  }
  // Read again after a failure (Try again, another page in the tab): the old error is not this answer.
  else if ((tabId !== null && answer.isPending) || (answer.isError && answer.isFetching)) body = <Loading what="the open lead" />;
  // In the badge's words, e.g. for a lead with no field LeadLens can read. Not retried by itself (see useOpenLead): the rep can.
  else if (answer.isError) {
    body = (
      <ErrorState
        message={`${COULD_NOT_SCORE}: ${answer.error.message}`}
        action={
          <button
            type="button"
            onClick={() => {
              // Loading takes the button's place, then the answer Loading's: the focus goes to the heading above them both.
              heading.current?.focus();
              void answer.refetch();
            }}
          >
            Try again
          </button>
        }
      />
    );
  } else if (!lead && answer.data?.purged) {
    // As the tab's badge says it: the page asks for no lead until it reloads.
    body = <p data-testid="open-lead-purged">{EVERYTHING_PURGED}</p>;
  } else if (!lead && answer.data?.reading) {
    // Keyed by the answer: a tab gone on to another record page waits afresh.
    body = <ReadingLead key={answer.dataUpdatedAt} />;
  } else if (!lead) {
    body = (
      <EmptyState title="No lead open">
        <p style={{ margin: 0 }}>
          Open a Salesforce Lead or a HubSpot contact in this window{fileLeadsListed && ', or choose a CSV lead in Top leads'}: its full explanation appears here.
        </p>
      </EmptyState>
    );
  } else body = <ExplanationByItsModel lead={lead} source={lead.crm} />;
  return (
    <section ref={card} aria-labelledby="open-lead-title" className="card" data-testid="open-lead">
      <h2 id="open-lead-title" ref={heading} tabIndex={-1} style={{ fontSize: 16, margin: 0 }}>
        {fileLeadKey !== null ? 'CSV lead chosen from Top leads' : 'Open lead'}
      </h2>
      {body}
    </section>
  );
}
