import { Fragment } from 'react';
import { CRM_LABEL, CRM_TERMS, type CrmKind } from '@/lib/crm/types';
import { MIN_CHANGE_POINTS, type Deviation, type HotterPlan } from '@/lib/ml/insights';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import { formatThreshold, oddsFactor, notOnPageInWords, planChangeInWords, planOutcomeInWords, probabilityRiseInWords } from '@/lib/presentation';
import { listInWords } from '@/lib/list-in-words';
import { SidewaysScroll } from './SidewaysScroll';
import { LONGEST_WHOLE_RUN_WHEN_NARROW, tableValueWrap } from './table-value-wrap';
import { TierLabel } from './TierLabel';

// Values come from CRM data (a category, a number as the CRM wrote it): each sits in <bdi>, so
// right-to-left text or a direction override in one cannot reorder the words around it, and a
// table's value with a run too long to keep whole wraps anywhere, so it cannot widen the table past
// the side panel (`tableValueWrap`); in the comparison, narrower than 360 px, a run of more than
// LONGEST_WHOLE_RUN_WHEN_NARROW too.

/** One end of a range kept whole: "×1.8", "÷1.6" where its values would lower the odds, "×1" where they would not visibly move them. */
function oddsAtEnd(points: number): string {
  if (Math.abs(points) < MIN_CHANGE_POINTS) return '×1';
  return `${points < 0 ? '÷' : '×'}${oddsFactor(points)}`;
}

/**
 * The two kinds of field the comparison names, each in a table of its own, what a rep's work can
 * change first: a lead's fit (its industry, where it came from) is no change to make, so its odds
 * read as a comparison with leads that have the ideal, never as "if" a rep changed it.
 */
const DEVIATION_GROUPS = [
  { name: 'engagement', actionable: true, caption: "Engagement: what a rep's work can change", oddsHeading: 'Odds if ideal', same: 'no change', aboutTheSame: 'no visible change' },
  { name: 'fit', actionable: false, caption: 'Fit: who the lead is, which no rep changes', oddsHeading: 'Odds of leads with the ideal', same: 'the same', aboutTheSame: 'about the same' },
] as const;

type DeviationGroup = (typeof DEVIATION_GROUPS)[number];

/**
 * What the ideal would do to the lead's odds: its factor only from MIN_CHANGE_POINTS (×1.05), the
 * least the plan offers as a change, so no row reads "×1" beside an ideal that differs. A range kept
 * whole (`pointsAcross`), whose values may give far apart odds, reads from the least to the most
 * they would give ("×1.1 – ×2", "×1 – ×1.8"), never its best value's alone as if all of it gave that.
 * Without a factor to show, it reads in the words of the row's `group`: "no change" of engagement, "the same" of fit.
 */
function oddsIfIdeal({ pointsLost, pointsAcross }: Deviation, { same, aboutTheSame }: DeviationGroup): string {
  if (pointsAcross) {
    const [least, most] = [oddsAtEnd(pointsAcross.least), oddsAtEnd(pointsAcross.most)];
    if (least !== most) return `${least} – ${most}`;
    return least === '×1' ? aboutTheSame : least;
  }
  if (pointsLost === 0) return same;
  return pointsLost < MIN_CHANGE_POINTS ? aboutTheSame : `×${oddsFactor(pointsLost)}`;
}

/** The rows of one `group`, under its caption; nothing when the lead has none of its fields compared. */
function DeviationsOfGroup({ group, deviations }: { group: DeviationGroup; deviations: readonly Deviation[] }) {
  const rows = deviations.filter((d) => d.actionable === group.actionable);
  if (rows.length === 0) return null;
  return (
    <SidewaysScroll label={group.caption}>
      <table className="deviations" data-group={group.name}>
        <caption style={{ textAlign: 'left', fontWeight: 600 }}>{group.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">This lead</th>
            <th scope="col">Ideal</th>
            <th scope="col">{group.oddsHeading}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.feature}>
              <th scope="row" className="row-name">
                {d.label}
              </th>
              <td>
                <bdi className={tableValueWrap(d.leadValue, LONGEST_WHOLE_RUN_WHEN_NARROW)}>{d.leadValue}</bdi>
              </td>
              <td>
                <bdi className={tableValueWrap(d.idealValue, LONGEST_WHOLE_RUN_WHEN_NARROW)}>{d.idealValue}</bdi>
              </td>
              <td>{oddsIfIdeal(d, group)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </SidewaysScroll>
  );
}

/**
 * Per feature: this lead's value, the ideal customer's, and what the ideal would do to its odds,
 * engagement a rep's work can change apart from the lead's fit (`DEVIATION_GROUPS`).
 * `notOnPage`: the features left out because the lead's page does not show them and its CRM
 * record was not read, or left them out (a field the CRM no longer gives: `featuresNotRead`),
 * named with how LeadLens would compare them too.
 */
export function DeviationsTable({ deviations, notOnPage }: { deviations: readonly Deviation[]; notOnPage?: { crm: CrmKind; labels: readonly string[] } }) {
  return (
    <>
      {DEVIATION_GROUPS.map((group) => (
        <DeviationsOfGroup key={group.name} group={group} deviations={deviations} />
      ))}
      {deviations.length === 0 && <p className="deviations-none">No field of this lead to compare.</p>}
      {/* One sentence shown: the whole note took some 25 lines of the side panel, above the segments and the top leads. */}
      <div className="deviations-note" style={{ fontSize: 12, margin: '4px 0' }}>
        <p style={{ margin: 0 }}>Ideal: the value (or range) that would score highest for this lead, among those enough past leads had.</p>
        <details>
          <summary>How the ideal and the odds are found</summary>
          <p style={{ margin: '4px 0 0' }}>
            Ideal: the value (or range) that would score highest for this lead, its other features as they are, among those enough past
            leads had: values that score about alike, unless too few past leads had such values, and never one a CRM would not record
            beside the lead's others (more e-mails clicked than opened, more visits than page views). Odds if ideal: how many times
            changing this feature to the nearest value of it, and what a CRM records with it (the click rate of new opens or clicks,
            the first visit and page view of a first page seen), would multiply the lead's odds of converting, counting how it works
            together with the others; no visible change below ×1.05. Odds of leads with the ideal: the odds of a lead like this one but
            with the nearest ideal value, as a multiple of this lead's (about the same below ×1.05): a comparison, as no rep changes who a lead
            is. Where too few past leads had values that score alike, the ideal is a wider range whose values can score far apart: its
            odds read from the least to the most any value of it would give (÷ where a value would lower them). Not compared: how long
            ago the lead was created or last active, whether it takes e-mail (its choice, not a rep's), e-mail engagement when no
            marketing e-mail reaches it, a count a CRM would record no other value of beside the lead's others (clicks of a lead that
            opened no e-mail; visits, page views and form submissions of a lead with none, which come with a first page seen, compared
            as the last page seen), counts it already has more of than the ideal (they only grow), a rate of them above the ideal
            (a click rate falls only when the lead opens e-mails without clicking), and what is not known of it where no known value
            would score higher.
          </p>
        </details>
      </div>
      {notOnPage && notOnPage.labels.length > 0 && (
        <p className="not-on-page" style={{ fontSize: 12, margin: '4px 0' }}>
          Not read, so not compared: {notOnPage.labels.join(', ')}. LeadLens compares a field this page shows, or one it reads from{' '}
          {CRM_LABEL[notOnPage.crm]} itself: connected to this {CRM_TERMS[notOnPage.crm].account} under CRM connections in the LeadLens options, the record and the field
          readable.
        </p>
      )}
    </>
  );
}

/**
 * The smallest changes a rep can make happen that move the lead to the next tier, in the words of
 * `tiers`, the thresholds the lead was tiered by: the target's as the options page writes it
 * (`formatThreshold`), the lead's probabilities on their side of each. `notOnPage`: the fields a
 * rep could change that the plan leaves out because the lead's page does not show them (`featuresNotRead`).
 */
export function HotterPlanView({ plan, tiers, notOnPage = [] }: { plan: HotterPlan | null; tiers: TierThresholds; notOnPage?: readonly string[] }) {
  if (!plan) return <p>This lead is already hot: nothing to change.</p>;
  // Changes too small to see are never offered: when none is left, say so rather than "only raise it".
  if (plan.changes.length === 0) {
    // Engagement the page does not show is not known to be none: its fit need not decide the score.
    if (notOnPage.length > 0) return <p>No change to the fields LeadLens read would noticeably raise this lead's score. It could not read {notOnPage.join(', ')}.</p>;
    // Not its fit: the changes that would raise it lower a rate above its ideal, which only the lead doing less of what it counts does.
    if (plan.ratesHeldAbove) {
      return (
        <p>
          The only changes that would noticeably raise this lead&apos;s score would lower its {listInWords(plan.ratesHeldAbove)}, above the ideal already: only the
          lead doing less of what that counts (clicking none of the e-mails it opens) would, not a rep&apos;s work.
        </p>
      );
    }
    return <p>No change to engagement would noticeably raise this lead's score: its fit decides it.</p>;
  }
  const [before, after] = probabilityRiseInWords(plan.probabilityBefore, plan.probabilityAfter, tiers);
  const outcome = planOutcomeInWords(plan.reaches, plan.changes.length);
  return (
    <div className="hotter-plan">
      <p>
        {outcome.before}
        <TierLabel tier={plan.targetTier} /> (from {formatThreshold(plan.threshold)} likely){outcome.after}:{' '}
        {before} → {after}.
      </p>
      <ol>
        {plan.changes.map((change) => (
          <li key={change.feature}>
            {planChangeInWords(change, (value) => <bdi>{value}</bdi>).map((part, i) => (
              <Fragment key={i}>{part}</Fragment>
            ))}
          </li>
        ))}
      </ol>
      {notOnPage.length > 0 && <p className="plan-not-on-page">{notOnPageInWords(notOnPage)}</p>}
    </div>
  );
}
