import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type Ref } from 'react';
import { browser } from 'wxt/browser';
import { LeadTable } from '@/components/LeadTable';
import { LEARNT_FROM_TIER, SegmentStatsTable } from '@/components/SegmentStatsTable';
import { EmptyState, StatusRegion } from '@/components/StatusMessage';
import { TierDonut } from '@/components/TierDonut';
import { CRM_LABEL } from '@/lib/crm/types';
import { background } from '@/lib/messaging/client';
import type { Tier } from '@/lib/messaging/protocol';
import { agesCountedTo, describeModelOutcome, describeSettledLeads, settledDaysOf } from '@/lib/ml/outcome-rule';
import { clipWithEllipsis, visibleText } from '@/lib/ml/visible-text';
import { formatDay, plural, TIER_LOOK } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import {
  asStored,
  filterLeads,
  leadSourceChoices,
  leadsToWork,
  listsFileLead,
  NO_FILTERS,
  offeredFilters,
  readsNotConvertedAsLost,
  segmentFigures,
  shownName,
  TIERS,
  type FilterChoices,
  type ConvertedByRule,
  type ScoredLeadRow,
  type ScoredLeads,
  type SegmentFilters,
  type SortOrder,
  type TierStats,
} from '@/lib/segments';
import { fileLeadsAsOf } from '@/lib/ui/stored-data';
import type { OutcomeBasis } from './hooks';

const CREATED_WITHIN = [
  { days: null, label: 'Any time' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last year' },
] as const;

/**
 * The most characters of an owner or lead source a filter's option shows (the whole value in its
 * tooltip, and as its value): a select is as wide as its longest option, and so is its list.
 */
const OPTION_LABEL_CHARS = 40;

interface SelectProps {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange(value: string): void;
  /** The most characters an option shows (`OPTION_LABEL_CHARS` for a CRM's values); our own words are shown whole. */
  maxLabelChars?: number;
}

function Select({ label, value, options, onChange, maxLabelChars = OPTION_LABEL_CHARS }: SelectProps) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => {
          const shown = clipWithEllipsis(option.label, maxLabelChars);
          return (
            <option key={option.value} value={option.value} title={shown === option.label ? undefined : option.label}>
              {shown}
            </option>
          );
        })}
      </select>
    </label>
  );
}

/** Which of the leads shown came from an imported file: their Created days count back from the file's date (`filterLeads`). */
type FileLeadsShown = 'none' | 'some' | 'all';

/**
 * A Created option's words: where its days count back to, when a file's leads count from the file's date, its latest
 * created date (`fileDate`; null when they count from today, as a CRM's do): `Last 7 days (to Nov 29, 2026, the file's date)`.
 */
function createdLabel(label: string, days: number | null, fileDate: number | null, fileLeads: FileLeadsShown): string {
  if (days === null || fileDate === null || fileLeads === 'none') return label;
  const day = formatDay(fileDate, 'file');
  return fileLeads === 'all' ? `${label} (to ${day}, the file's date)` : `${label} (to ${day} for the file's leads)`;
}

interface FiltersProps {
  choices: FilterChoices;
  filters: SegmentFilters;
  /** The file's latest created date, which its leads' Created days count back from; null: from today. */
  fileDate: number | null;
  fileLeads: FileLeadsShown;
  /** A lead source as its CRM's pages word it (`leadSourceWords`). */
  sourceWord(value: string): string;
  onChange(filters: SegmentFilters): void;
  ref: Ref<HTMLDivElement>;
}

/**
 * The option value of the leads stored without an owner or lead source (the filter's ''): the
 * select's '' is "All". No owner or source starts with a NUL character, so none is taken for it.
 */
const NONE_OPTION = '\u0000none';
/** A filter's value as its select holds it, and back: null is "All", '' the leads without one. */
const asOption = (value: string | null) => (value === null ? '' : value === '' ? NONE_OPTION : value);
const fromOption = (option: string) => (option === '' ? null : option === NONE_OPTION ? '' : option);

function Filters({ choices, filters, fileDate, fileLeads, sourceWord, onChange, ref }: FiltersProps) {
  const options = (values: string[], all: string, none: string) => [
    { value: '', label: all },
    ...values.map((value) => ({ value: asOption(value), label: value === '' ? none : value })),
  ];
  // One choice per word shown, in their order (HubSpot's labels among Salesforce's values): "Organic Social" keeps HubSpot's SOCIAL_MEDIA and a file's "Organic Social".
  const leadSources = useMemo(() => leadSourceChoices(choices.leadSource, sourceWord), [choices.leadSource, sourceWord]);
  return (
    <div className="filters" role="group" aria-label="Filters" ref={ref}>
      <Select
        label="Owner"
        value={asOption(filters.owner)}
        options={options(choices.owner, 'All owners', 'No owner')}
        onChange={(owner) => onChange({ ...filters, owner: fromOption(owner) })}
      />
      <Select
        label="Lead source"
        value={asOption(filters.leadSource)}
        options={options(leadSources, 'All sources', 'No lead source')}
        onChange={(leadSource) => onChange({ ...filters, leadSource: fromOption(leadSource) })}
      />
      <Select
        label="Created"
        value={String(filters.createdWithinDays ?? '')}
        options={CREATED_WITHIN.map(({ days, label }) => ({ value: String(days ?? ''), label: createdLabel(label, days, fileDate, fileLeads) }))}
        onChange={(days) => onChange({ ...filters, createdWithinDays: days ? Number(days) : null })}
        maxLabelChars={Infinity}
      />
    </div>
  );
}

interface ShownLeads {
  total: number;
  madeUp: number;
  sources: ReadonlySet<ScoredLeadRow['source']>;
}

interface TopLeadsProps {
  rows: readonly ScoredLeadRow[];
  /** What `rows` were filtered by. */
  filters: SegmentFilters;
  tier: Exclude<Tier, 'cold'>;
  /** Which leads converted already, or were lost, as `leadsToWork` takes it: by the active model's rule for its source's leads; undefined for a model without a rule (the stored outcomes). */
  byRule: ConvertedByRule | undefined;
  /** The sources of the leads shown: the stored outcome is said of theirs alone. */
  sources: ReadonlySet<ScoredLeadRow['source']>;
  /** Whether an imported file's lead stored as not converted is closed, lost: its import's rule named the values still open (`readsNotConvertedAsLost`). */
  storedFileNotConvertedIsLost: boolean;
  onOpen(row: ScoredLeadRow): void;
}

/**
 * What the outcome stored with a lead is, by its source, in a rep's words: its CRM's own status, not a model's outcome; a
 * Salesforce lead's IsConverted, true once it was converted (Convert makes it an account and contact); a HubSpot
 * contact's as a sync reads it (`hubspotOutcome`).
 */
const STORED_OUTCOME_OF: Readonly<Record<ScoredLeadRow['source'], string>> = {
  salesforce: 'a Salesforce lead converted into an account and contact',
  hubspot: "a HubSpot lifecycle stage of opportunity or later in the portal's order, or past the middle of it in a portal without opportunity",
  csv: "a file's outcome column",
};

/** The stored outcome of the sources of the leads shown, in words: a HubSpot-only team reads HubSpot's alone. */
function storedOutcomeInWords(sources: ReadonlySet<ScoredLeadRow['source']>): string {
  const named = (Object.keys(STORED_OUTCOME_OF) as ScoredLeadRow['source'][]).filter((source) => sources.size === 0 || sources.has(source));
  return named.map((source) => STORED_OUTCOME_OF[source]).join('; ');
}

/** Where the leads shown keep their stored outcome: their CRM, their file, or either. */
function storedOutcomePlace(sources: ReadonlySet<ScoredLeadRow['source']>): string {
  const inFile = sources.has('csv');
  const inCrm = sources.size > (inFile ? 1 : 0);
  return inFile && !inCrm ? 'file' : inCrm && !inFile ? 'CRM' : 'CRM or file';
}

const BY_MODEL_OUTCOME = 'by the outcome the model was trained on';
/** Closed without converting by the outcome stored with an imported file's lead: its outcome column, read by the import's rule. */
const BY_FILE_OUTCOME = "by the imported file's outcome column";

function TopLeads({ rows, filters, tier, byRule, sources, storedFileNotConvertedIsLost, onOpen }: TopLeadsProps) {
  const [order, setOrder] = useState<SortOrder>({ key: 'score', descending: true });
  const { leads, converted, byStatus, lost, lostByStatus } = useMemo(
    () => leadsToWork(rows, tier, order, byRule, storedFileNotConvertedIsLost),
    [rows, tier, order, byRule, storedFileNotConvertedIsLost],
  );
  const filtersApplied = Object.values(filters).some((value) => value !== null);
  const word = TIER_LOOK[tier].word.toLowerCase();
  // As the rates above count them: by the model's rule, as the note above says; else by the status stored with each lead, its CRM's own, not what the model predicts.
  // Under a rule, its source's leads are judged by it: the stored status is said of the other sources' alone.
  const byStatusSources = byRule ? new Set([...sources].filter((source) => source !== byRule.source)) : sources;
  const byStatusWords = `already past the lead stage in ${converted === 1 ? 'its' : 'their'} ${storedOutcomePlace(byStatusSources)} (${storedOutcomeInWords(byStatusSources)})`;
  const leftOutAs =
    byStatus === converted
      ? byStatusWords
      : byStatus === 0
        ? `converted already, ${BY_MODEL_OUTCOME}`
        : `converted already, ${BY_MODEL_OUTCOME}, or for another source's leads ${byStatusWords}`;
  // Only a file's leads are ever lost (`readsNotConvertedAsLost`): by the model's rule, or by their stored outcome.
  const lostAs = `closed without converting, ${lostByStatus === lost ? BY_FILE_OUTCOME : lostByStatus === 0 ? BY_MODEL_OUTCOME : `${BY_MODEL_OUTCOME} or ${BY_FILE_OUTCOME}`}`;
  const leftOut = converted + lost;
  const them = (count: number) => (count === 1 ? 'it' : 'them');
  const allLeftOutAs =
    lost === 0
      ? leftOutAs
      : converted === 0
        ? lostAs
        : `left out, ${converted.toLocaleString('en-US')} ${leftOutAs}, and ${lost.toLocaleString('en-US')} ${lostAs}`;
  // Other filters, another list: the table starts it on its first page, in the order chosen; new scores of the same list keep the page.
  return (
    <>
      <LeadTable
        caption={`Top ${word} leads`}
        rows={leads}
        order={order}
        onSort={setOrder}
        onOpen={onOpen}
        filtersApplied={filtersApplied}
        emptyNote={
          leftOut > 0
            ? `${leftOut === 1 ? `The ${word} lead` : `All ${leftOut.toLocaleString('en-US')} ${word} leads`}${filtersApplied ? ' these filters leave' : ''} ${allLeftOutAs}: none left to work (the counts above include ${them(leftOut)}).`
            : undefined
        }
        listKey={JSON.stringify(filters)}
      />
      {converted > 0 && leads.length > 0 && (
        <p className="rate-basis" data-testid={`converted-left-out-${tier}`}>
          {plural(converted, `${word} lead`, `${word} leads`)} {leftOutAs}: left out of this list (the counts above include {them(converted)}).
        </p>
      )}
      {lost > 0 && leads.length > 0 && (
        <p className="rate-basis" data-testid={`lost-left-out-${tier}`}>
          {plural(lost, `${word} lead`, `${word} leads`)} {lostAs}: left out of this list (the counts above include {them(lost)}).
        </p>
      )}
    </>
  );
}

const STORED_OUTCOMES: OutcomeBasis = { kind: 'stored' };

/**
 * How the leads a model learnt from count in the rates, as the options page reads them (its LabelledLeadsNote): by their
 * held-out probability, or under a value or fixed policy their cross-fitted one (`RuleOutcome`), said in a rep's words.
 */
const LEARNT_FROM_COUNTED = `A lead ${LEARNT_FROM_TIER} (the model knew its outcome, so that score would flatter it), as the options page counts them; the lists show it in the tier of the score it shows.`;
/**
 * What the options page says of a value or fixed policy's leads learnt from of a model that kept no cross-fitted
 * probabilities (`learntFromBasisWords` 'not-kept'), in a rep's words: the calibration, fitted on their outcomes, may flatter the hot tier.
 */
const LEARNT_FROM_NOT_KEPT =
  "The model was trained before LeadLens kept those scores on a scale their outcomes did not set, so its hot tier may convert more here than it will on new leads.";

/**
 * What "Converted" means in the table above it, and of how many of the leads shown, as the options page says it of its figures:
 * a file's leads old enough by its latest created date (`agesCountedTo`), a CRM's by today.
 */
function ConvertedNote({
  basis,
  stats,
  undated,
  knownFilteredOut,
  shown,
  fileDate,
}: {
  basis: OutcomeBasis;
  stats: Record<Tier, TierStats>;
  undated: 'none' | 'some' | 'all';
  /** Whether leads the filters leave out have an outcome that counts: the Converted column goes under the filters, and the note says why. */
  knownFilteredOut: boolean;
  /** The leads shown, how many of them are Demo mode's made up (`madeUp`), which the stored outcomes never count, however old, and their sources. */
  shown: ShownLeads;
  /** The file's latest created date, when its leads' ages count to it (`fileLeadsAsOf`); null: to today, undefined: being read. */
  fileDate: number | null | undefined;
}) {
  if (basis.kind === 'reading') return <p role="status" className="rate-basis">Reading the leads' outcomes for the conversion rates…</p>;
  if (basis.kind === 'unreadable') return <p role="alert" className="rate-basis">The leads' outcomes could not be read, so no conversion rate is shown: {basis.error}</p>;
  const known = TIERS.reduce((sum, tier) => sum + stats[tier].withOutcome, 0);
  // Only the stored outcomes leave the made-up leads out by their mark; a model's rule, by its history (`readRuleOutcomes`).
  const madeUp = basis.kind === 'stored' ? shown.madeUp : 0;
  // No Converted column then: a model with a rule says why, and so do the stored outcomes once filters leave out every lead whose outcome counts (a recent Created), or made-up leads are shown.
  if (known === 0 && basis.kind === 'stored' && !knownFilteredOut && madeUp === 0) return null;
  const meaning =
    basis.kind === 'rule'
      ? `Converted means ${describeModelOutcome(basis.rule)}, the outcome the model was trained on`
      : `Converted means the outcome stored with each lead: ${storedOutcomeInWords(shown.sources)}`;
  // Old enough by the model's own minimum age; the stored outcomes (a model without a rule) by the default one.
  const rule = basis.kind === 'rule' ? basis.rule : undefined;
  // Whether the rates count the leads the model learnt from, by a check model's scores of them.
  const learntFrom = basis.kind === 'rule' && basis.learntFrom;
  const counted = describeSettledLeads(settledDaysOf(rule), learntFrom, agesCountedTo(rule, fileDate ?? null), undated);
  const madeUpWords = madeUp === 1 ? "one of Demo mode's made-up leads" : "Demo mode's made-up leads";
  return (
    <p className="rate-basis" style={{ flexBasis: '100%', margin: 0 }} data-testid="converted-meaning">
      {meaning}:{' '}
      {/* Made-up leads are left out for being made up, not for their age: said of them, apart. */}
      {madeUp === shown.total
        ? `the ${plural(madeUp, 'lead shown is', 'leads shown are')} ${madeUpWords}, not counted in Converted.`
        : `${known === 0 ? 'no lead shown has' : plural(known, 'lead shown has', 'leads shown have')} a known outcome (${counted}); other leads are left out.`}
      {madeUp > 0 && madeUp < shown.total && ` ${plural(madeUp, 'lead shown is', 'leads shown are')} ${madeUpWords}, not counted in Converted.`}
      {learntFrom && ` ${LEARNT_FROM_COUNTED}`}
      {learntFrom && basis.learntFromBy === 'not-kept' && ` ${LEARNT_FROM_NOT_KEPT}`}
    </p>
  );
}

interface SegmentViewProps {
  leads: ScoredLeads;
  /** A lead source as its CRM's pages word it (`leadSourceWords`); as stored when absent. */
  sourceWord?(value: string): string;
  /** What the conversion rates count as a lead's outcome (`useOutcomeBasis`); the outcome stored with each lead when absent. */
  outcomeBasis?: OutcomeBasis;
  /**
   * A lead chosen from the top leads: one of an imported file, which has no CRM page to open, for the
   * panel to explain; a CRM lead once its page opened in the CRM tab, which the panel explains as the tab's.
   */
  onLeadChosen(row: ScoredLeadRow): void;
  /**
   * Told whether the top leads list a file's lead now (under the filters chosen), each time that changes, and false once
   * this view is gone: the open lead's card, with no lead open, offers choosing one only then.
   */
  onFileLeadsListed(listed: boolean): void;
}

/** Segment stats, filters and the top hot and warm leads of the active model. */
export function SegmentView({ leads: { rows, choices }, sourceWord = asStored, outcomeBasis = STORED_OUTCOMES, onLeadChosen, onFileLeadsListed }: SegmentViewProps) {
  const [chosen, setFilters] = useState<SegmentFilters>(NO_FILTERS);
  const [openError, setOpenError] = useState<string | null>(null);
  // Said once a lead opens in the CRM tab: the focus stays on its name here, and the card that now explains it is above.
  // Kept with the list it was said of, and gone with it: left in the status, a reader would come on it later as news.
  const [opened, setOpened] = useState<{ said: string; of: readonly ScoredLeadRow[] } | null>(null);
  const fileLeads = useMemo((): FileLeadsShown => {
    let fromFile = 0;
    for (const row of rows) if (row.source === 'csv') fromFile++;
    return fromFile === 0 ? 'none' : fromFile === rows.length ? 'all' : 'some';
  }, [rows]);
  const rule = outcomeBasis.kind === 'rule' ? outcomeBasis.rule : undefined;
  // Under the key of when the file's ages count from: read again, as it is, when leads are scored or deleted. For the
  // Created filter when a file's leads are shown, and for the note on the rates that count a file's leads' ages.
  const fileDate = useQuery({
    queryKey: queryKeys.fileLeadsAsOf(),
    queryFn: () => fileLeadsAsOf(Date.now()),
    enabled: fileLeads !== 'none' || outcomeBasis.kind === 'stored' || rule?.source === 'csv',
  }).data;
  // The rule the stored import read its outcomes by, replaced with its leads: whether its "not converted" is closed. Its
  // module imports the CSV reader's: loaded apart, and only when a file's leads are shown.
  const importRule = useQuery({
    queryKey: queryKeys.importedOutcomeRule(),
    queryFn: async () => (await import('@/lib/csv/stored')).importedOutcomeRule(),
    enabled: fileLeads !== 'none',
  }).data;
  const storedFileNotConvertedIsLost = importRule != null && readsNotConvertedAsLost(importRule, 'csv');
  const filters = useMemo(() => offeredFilters(chosen, choices, sourceWord), [chosen, choices, sourceWord]);
  const filtered = useMemo(() => {
    const now = Date.now();
    return filterLeads(rows, filters, now, sourceWord, fileDate ?? now);
  }, [rows, filters, sourceWord, fileDate]);
  const basisKind = outcomeBasis.kind;
  const ruleOutcomes = outcomeBasis.kind === 'rule' ? outcomeBasis.outcomes : undefined;
  const thresholds = outcomeBasis.kind === 'rule' ? outcomeBasis.thresholds : undefined;
  // The leads it learnt from by their cross-fitted probabilities when its policy counts them so, as the options page does.
  const crossFitted = outcomeBasis.kind === 'rule' && outcomeBasis.learntFromBy === 'cross-fitted';
  const fileAgesFrom = outcomeBasis.kind === 'stored' ? outcomeBasis.fileAgesFrom : undefined;
  // Only a model trained here, whose check model's scores are kept, has them: another (imported, the CLI's, or one whose were lost) counts every lead at the score it shows.
  const learntFromHeldOut = outcomeBasis.kind === 'rule' && outcomeBasis.learntFrom;
  const { stats, undated } = useMemo(() => {
    // By the model's rule once its outcomes are read, as the options page counts them (the leads it learnt from at their
    // held-out probabilities, or cross-fitted ones as its policy says); none until then (null), rather than the stored
    // ones (undefined, a model without a rule).
    const byRule = ruleOutcomes && thresholds ? { outcomes: ruleOutcomes, thresholds, crossFitted } : basisKind === 'stored' ? undefined : null;
    return segmentFigures(filtered, Date.now(), byRule, fileAgesFrom);
  }, [filtered, basisKind, ruleOutcomes, thresholds, crossFitted, fileAgesFrom]);
  // A second pass, over every lead, only when the filters leave no stored outcome that counts.
  const knownFilteredOut = useMemo(() => {
    if (basisKind !== 'stored' || filtered === rows || TIERS.some((tier) => stats[tier].withOutcome > 0)) return false;
    const unfiltered = segmentFigures(rows, Date.now(), undefined, fileAgesFrom).stats;
    return TIERS.some((tier) => unfiltered[tier].withOutcome > 0);
  }, [basisKind, filtered, rows, stats, fileAgesFrom]);
  const shown = useMemo(
    (): ShownLeads => ({ total: filtered.length, madeUp: filtered.filter((row) => row.madeUp).length, sources: new Set(filtered.map((row) => row.source)) }),
    [filtered],
  );
  // The lists leave out the leads converted already, or lost, as the rates count them: by the rule's outcomes for its source's leads, once read.
  const ruleSource = rule?.source;
  const ruleNotConvertedIsLost = rule !== undefined && readsNotConvertedAsLost(rule, rule.source);
  const listedByRule = useMemo(
    () => (ruleSource && ruleOutcomes ? { source: ruleSource, outcomes: ruleOutcomes, notConvertedIsLost: ruleNotConvertedIsLost } : undefined),
    [ruleSource, ruleOutcomes, ruleNotConvertedIsLost],
  );
  const fileLeadsListed = useMemo(() => listsFileLead(filtered, listedByRule, storedFileNotConvertedIsLost), [filtered, listedByRule, storedFileNotConvertedIsLost]);
  useEffect(() => {
    onFileLeadsListed(fileLeadsListed);
    return () => onFileLeadsListed(false);
  }, [fileLeadsListed, onFileLeadsListed]);
  const filtersRef = useRef<HTMLDivElement>(null);
  const showAllLeads = () => {
    setFilters(NO_FILTERS);
    // The button leaves with the empty result: keyboard focus goes on to the filters, not back to the page's start.
    filtersRef.current?.querySelector('select')?.focus();
  };
  const open = async (row: ScoredLeadRow) => {
    setOpenError(null);
    setOpened(null);
    if (row.source === 'csv') return onLeadChosen(row);
    const { source: crm, recordId } = row;
    // In this panel's window: the background cannot tell which window asks.
    const reply = await browser.windows
      .getCurrent()
      .then(({ id: windowId }) => background.openRecord({ crm, recordId, windowId }))
      .catch((error: Error) => ({ ok: false as const, error: error.message }));
    if (!reply.ok) return setOpenError(reply.error);
    onLeadChosen(row);
    setOpened({ said: `Opened ${visibleText(shownName(row))} in ${CRM_LABEL[crm]}: explained under Open lead.`, of: filtered });
  };
  return (
    <>
      <section aria-labelledby="stats-title" className="card">
        <h2 id="stats-title" style={{ fontSize: 16, margin: 0 }}>
          {/* Live, so a screen reader hears how many leads a filter leaves as the numbers below change; not a role=status,
              whose text Chromium leaves out of the heading's name ("Segments ()" in a list of headings). */}
          Segments (
          <span aria-live="polite" aria-atomic="true">
            {filtered.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} {rows.length === 1 ? 'lead' : 'leads'}
          </span>
          )
        </h2>
        <Filters choices={choices} filters={filters} fileDate={fileDate ?? null} fileLeads={fileLeads} sourceWord={sourceWord} onChange={setFilters} ref={filtersRef} />
        {filtered.length === 0 ? (
          // Rather than an empty donut, zeros and an empty table per tier.
          <EmptyState title="No leads match these filters">
            <p style={{ margin: '0 0 8px' }}>Choose another owner, lead source or time, or show every lead again.</p>
            <button type="button" onClick={showAllLeads}>
              Show all leads
            </button>
          </EmptyState>
        ) : (
          <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
            <TierDonut stats={stats} />
            <SegmentStatsTable stats={stats} learntFromHeldOut={learntFromHeldOut} />
            <ConvertedNote basis={outcomeBasis} stats={stats} undated={undated} knownFilteredOut={knownFilteredOut} shown={shown} fileDate={fileDate} />
          </div>
        )}
      </section>
      {filtered.length > 0 && (
        <section aria-labelledby="top-title" className="card">
          <h2 id="top-title" style={{ fontSize: 16, margin: 0 }}>
            Top leads
          </h2>
          {openError && <p role="alert">{openError}</p>}
          <StatusRegion visuallyHidden>{opened?.of === filtered && opened.said}</StatusRegion>
          <TopLeads rows={filtered} filters={filters} tier="hot" byRule={listedByRule} sources={shown.sources} storedFileNotConvertedIsLost={storedFileNotConvertedIsLost} onOpen={open} />
          <TopLeads rows={filtered} filters={filters} tier="warm" byRule={listedByRule} sources={shown.sources} storedFileNotConvertedIsLost={storedFileNotConvertedIsLost} onOpen={open} />
        </section>
      )}
    </>
  );
}
