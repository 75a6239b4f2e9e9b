// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { generateDemoLeads } from '@/lib/crm/demo-data';
import { featurizeRecord, type RawRecord } from '@/lib/ml/featurize';
import { deviationsFromIdeal, MIN_CHANGE_POINTS, whatWouldMakeHotter, type Deviation, type HotterPlan } from '@/lib/ml/insights';
import { parseManifest } from '@/lib/ml/manifest';
import { termContribution } from '@/lib/ml/shape';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import { handMadeManifest } from '@/test/fixtures/manifest';
import { render, type Rendered } from '@/test/render';
import { DeviationsTable, HotterPlanView } from './LeadInsights';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const plan: HotterPlan = {
  targetTier: 'warm',
  threshold: 0.012,
  changes: [
    { feature: 8, label: 'Days since last activity', from: '40 days', to: 'today', value: 0, points: 0.3, calibratedPoints: 0.26, alsoChanges: [] },
    { feature: 9, label: 'Website visits', from: '0', to: '3', value: 3, points: 0.5, calibratedPoints: 0.42, alsoChanges: [] },
  ],
  probabilityBefore: 0.004,
  probabilityAfter: 0.0135,
  reaches: true,
};

/** Thresholds with `plan`'s warm one; hot far above every figure unless a test says otherwise. */
const tiers: TierThresholds = { warm: plan.threshold, hot: 0.5 };

const bundledManifest = () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
};

const headline = (shown: HotterPlan, shownTiers: TierThresholds = { ...tiers, warm: shown.threshold }) => {
  rendered = render(<HotterPlanView plan={shown} tiers={shownTiers} />);
  return rendered.container.querySelector('.hotter-plan p')?.textContent;
};

/** A right-to-left override: without isolation it reverses the words that follow it. */
const OVERRIDE = '\u202E';

it('writes the probabilities as the header does, each on its side of the threshold, where a model with 1 % conversion would read "1 % → 1 %"', () => {
  // The header says "0.4 % likely"; the result, past "warm from 1.2 %", reads past it rather than "1 %".
  expect(headline(plan)).toBe('These changes would make it Warm (from 1.2% likely): 0.4% → 1.4%.');
});

it('says "This change" of a plan of one change, "These changes" of more', () => {
  expect(headline({ ...plan, changes: [plan.changes[1]] })).toBe('This change would make it Warm (from 1.2% likely): 0.4% → 1.4%.');
  expect(headline(plan)).toMatch(/^These changes would make it /);
});

it('says "The change that helps most" of a plan of one change that falls short, "The changes" of more', () => {
  // Before: "The changes that help most would not make it Warm" of its one change.
  expect(headline({ ...plan, reaches: false, changes: [plan.changes[1]] })).toMatch(/^The change that helps most would not make it Warm /);
  expect(headline({ ...plan, reaches: false })).toMatch(/^The changes that help most would not make it Warm /);
});

it('writes the threshold as the options page does and the probabilities as the header does, one decimal below 10 %, when those agree with it', () => {
  expect(headline({ ...plan, threshold: 0.1126, probabilityBefore: 0.012, probabilityAfter: 0.124 })).toBe(
    'These changes would make it Warm (from 11.26% likely): 1.2% → 12%.',
  );
});

it('never writes a shortfall as the threshold itself', () => {
  expect(headline({ ...plan, reaches: false, threshold: 0.1126, probabilityBefore: 0.012, probabilityAfter: 0.1108 })).toBe(
    'The changes that help most would not make it Warm (from 11.26% likely), only raise it: 1.2% → 11%.',
  );
});

it("writes the bundled model's thresholds as the options page does (\"warm from 10.29 %\"), not rounded to \"10 %\"", () => {
  const bundled = bundledManifest().tiers;
  const shortfall = { ...plan, reaches: false, threshold: bundled.warm, probabilityBefore: 0.05, probabilityAfter: 0.08 };
  expect(headline(shortfall, bundled)).toBe('The changes that help most would not make it Warm (from 10.29% likely), only raise it: 5% → 8%.');
});

it('never writes a lead the plan leaves warm at or past the hot threshold: 21.69 % under "hot from 21.7 %" is not "22 %"', () => {
  const bundled = bundledManifest().tiers;
  expect(headline({ ...plan, threshold: bundled.warm, probabilityBefore: 0.05, probabilityAfter: 0.2169 }, bundled)).toBe(
    'These changes would make it Warm (from 10.29% likely): 5% → 21.69%.',
  );
});

it('tells apart a before and after that would read alike, before as the header writes it, each still on its side of every threshold', () => {
  // A warm lead falling short of "hot from 21.5 %": its 21.46 % must not read "21.5 %" to tell it from 20.65 % ("21 %").
  const warmLead = { ...plan, targetTier: 'hot' as const, reaches: false, threshold: 0.215, probabilityBefore: 0.2065, probabilityAfter: 0.2146 };
  expect(headline(warmLead, { warm: 0.1, hot: 0.215 })).toBe('The changes that help most would not make it Hot (from 21.5% likely), only raise it: 21% → 21.46%.');
  // Whole percents read "10 % → 10 %"; no threshold lies between them.
  expect(headline({ ...plan, reaches: false, threshold: 0.1126, probabilityBefore: 0.1, probabilityAfter: 0.1045 })).toBe(
    'The changes that help most would not make it Warm (from 11.26% likely), only raise it: 10% → 10.4%.',
  );
  // 1.51 % and 1.54 % both read "1.5 %", the header's figure: after reads above it, before stays as the header writes it.
  const warmAt151 = { ...plan, targetTier: 'hot' as const, reaches: false, threshold: 0.05, probabilityBefore: 0.0151, probabilityAfter: 0.0154 };
  expect(headline(warmAt151, { warm: 0.012, hot: 0.05 })).toBe('The changes that help most would not make it Hot (from 5% likely), only raise it: 1.5% → 1.54%.');
});

it('says plainly when no change is left that would raise the lead visibly, never that changes "only raise it" from a figure to itself', () => {
  rendered = render(<HotterPlanView plan={{ ...plan, changes: [], reaches: false, threshold: 0.110634, probabilityBefore: 0.106962, probabilityAfter: 0.106962 }} tiers={tiers} />);
  expect(rendered.container.textContent).toBe("No change to engagement would noticeably raise this lead's score: its fit decides it.");
});

it('says it is a rate above its ideal, not the lead\'s fit, that leaves no change when the only ones would lower that rate', () => {
  const none = { ...plan, changes: [], reaches: false, threshold: 0.110634, probabilityBefore: 0.106962, probabilityAfter: 0.106962 };
  rendered = render(<HotterPlanView plan={{ ...none, ratesHeldAbove: ['E-mail click rate'] }} tiers={tiers} />);
  expect(rendered.container.textContent).toBe(
    "The only changes that would noticeably raise this lead's score would lower its E-mail click rate, above the ideal already: only the lead doing less of what that counts (clicking none of the e-mails it opens) would, not a rep's work.",
  );
});

it('says a "days since" change is an activity today, each change with the odds of the probabilities the plan shows', () => {
  rendered = render(<HotterPlanView plan={plan} tiers={tiers} />);
  expect(Array.from(rendered.container.querySelectorAll('.hotter-plan li'), (li) => li.textContent)).toEqual([
    'Days since last activity: 40 days → today (odds ×1.3)',
    'Website visits: 0 → 3 (odds ×1.5)',
  ]);
});

it('names the features that change with a changed field, whose change the odds include', () => {
  const opens = {
    feature: 12,
    label: 'Marketing e-mails opened',
    from: '4',
    to: '12',
    value: 12,
    points: 0.77,
    calibratedPoints: 0.6,
    alsoChanges: [{ feature: 14, label: 'E-mail click rate', from: '0.25 clicks per open', to: '0.08 clicks per open' }],
  };
  rendered = render(<HotterPlanView plan={{ ...plan, changes: [opens] }} tiers={tiers} />);
  expect(rendered.container.querySelector('.hotter-plan li')?.textContent).toBe(
    'Marketing e-mails opened: 4 → 12, which takes E-mail click rate from 0.25 clicks per open to 0.08 clicks per open (odds ×1.8)',
  );
});

it('says that bringing the lead to another page counts one more page view, whose effect the odds include', () => {
  // Page views score −0.5 from the 10th on; the demo page +1.2. A lead with 9 page views, the blog last: −2, 12 %.
  const manifest = handMadeManifest({
    features: [
      { key: 'page_views', label: 'Page views', type: 'numeric', derive: { kind: 'value', from: { csv: 'page_views' } }, actionable: true },
      { key: 'last_page', label: 'Last page seen', type: 'categorical', vocabulary: ['blog', 'demo', '(other)'], otherCode: 2, derive: { kind: 'urlCategory', from: { csv: 'last_page_url' } }, actionable: true },
    ],
    terms: [
      { features: [0], label: 'Page views', shape: { axes: [{ labels: ['≤ 9', '≥ 10', 'missing'], edges: [9.5] }], scores: [0, -0.5, 0] } },
      { features: [1], label: 'Last page seen', shape: { axes: [{ labels: ['blog', 'demo', '(other)', 'missing'], edges: [] }], scores: [0, 1.2, 0, 0] } },
    ],
    intercept: -2,
  });
  const row = [9, 0];
  const contributions = manifest.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f])));
  rendered = render(<HotterPlanView plan={whatWouldMakeHotter(manifest, row, contributions, 'csv')} tiers={manifest.tiers} />);
  // +1.2 − 0.5: odds ×2, 12 % → 21 %, not the demo page alone (×3.3, 27 %)
  expect(rendered.container.querySelector('.hotter-plan p')?.textContent).toBe('This change would make it Warm (from 20% likely): 12% → 21%.');
  expect(Array.from(rendered.container.querySelectorAll('.hotter-plan li'), (li) => li.textContent)).toEqual([
    'Last page seen: Blog or resource page → Demo or sign-up page, which takes Page views from 9 to 10 (odds ×2)',
  ]);
});

it('isolates every value in the plan, so a direction override in one cannot reverse the words after it', () => {
  const page = `pricing${OVERRIDE}sddo eht sesiar`;
  const withOverride: HotterPlan = {
    ...plan,
    changes: [
      {
        ...plan.changes[1],
        from: page,
        to: `demo${OVERRIDE}`,
        alsoChanges: [{ feature: 14, label: 'E-mail click rate', from: `0.1${OVERRIDE}`, to: `0.2${OVERRIDE}` }],
      },
    ],
  };
  rendered = render(<HotterPlanView plan={withOverride} tiers={tiers} />);
  expect(Array.from(rendered.container.querySelectorAll('.hotter-plan li bdi'), (bdi) => bdi.textContent)).toEqual([
    page,
    `demo${OVERRIDE}`,
    `0.1${OVERRIDE}`,
    `0.2${OVERRIDE}`,
  ]);
});

it('isolates the lead\'s and the ideal value in the comparison table', () => {
  const deviations: Deviation[] = [
    { feature: 4, label: 'Title seniority', actionable: false, leadValue: `VP Sales ${OVERRIDE}eulav`, idealValue: `vp${OVERRIDE}`, pointsLost: 1.5 },
  ];
  rendered = render(<DeviationsTable deviations={deviations} />);
  const cells = Array.from(rendered.container.querySelectorAll('tbody tr > *'));
  expect(cells.map((cell) => cell.querySelector('bdi')?.textContent ?? null)).toEqual([null, `VP Sales ${OVERRIDE}eulav`, `vp${OVERRIDE}`, null]);
  expect(cells.map((cell) => cell.textContent)).toEqual(['Title seniority', `VP Sales ${OVERRIDE}eulav`, `vp${OVERRIDE}`, '×4.5']);
});

it('gives the odds if ideal of the probability shown: a gain of 2 model points with Platt a = 0.5 is ×2.7, not ×7.4', () => {
  const manifest = {
    ...handMadeManifest({
      features: [{ key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } } }],
      terms: [{ features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '> 0', 'missing'], edges: [0] }], scores: [-1, 1, 0] } }],
      intercept: -2,
    }),
    calibration: { kind: 'platt' as const, a: 0.5, b: -1 },
  };
  rendered = render(<DeviationsTable deviations={deviationsFromIdeal(manifest, [0], 'csv')} />);
  expect(Array.from(rendered.container.querySelectorAll('tbody tr > *'), (cell) => cell.textContent)).toEqual(['Website visits', '0', '> 0', '×2.7']);
});

it('writes an unknown value as the reasons do, "not known", and leaves out one no known value would improve on', () => {
  // Visits: "> 0" beats not known. Industry: not known scores 0, above every known industry.
  const manifest = handMadeManifest({
    features: [
      { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } } },
      { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech', 'Retail'], derive: { kind: 'value', from: { csv: 'industry' } } },
    ],
    terms: [
      { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '> 0', 'missing'], edges: [0] }], scores: [-1, 1, 0] } },
      { features: [1], label: 'Industry', shape: { axes: [{ labels: ['Tech', 'Retail', 'missing'], edges: [] }], scores: [-0.1, -0.5, 0] } },
    ],
    intercept: -2,
  });
  rendered = render(<DeviationsTable deviations={deviationsFromIdeal(manifest, [Number.NaN, Number.NaN], 'csv')} />);
  expect(Array.from(rendered.container.querySelectorAll('tbody tr'), (row) => Array.from(row.children, (cell) => cell.textContent))).toEqual([
    ['Website visits', 'not known', '> 0', '×2.7'],
  ]);
  expect(rendered.container.querySelector('.deviations-note')?.textContent).toContain('what is not known of it where no known value would score higher');
});

it("puts what a rep's work can change apart from the lead's fit, whose odds read as leads with the ideal have them, never as a change to make", () => {
  // As the bundled model compares a cold HubSpot contact: its lead source and industry first by their odds, its e-mails opened last.
  const deviations: Deviation[] = [
    { feature: 0, label: 'Lead source', actionable: false, leadValue: 'Purchased List', idealValue: 'Direct Traffic', pointsLost: Math.log(4.1) },
    { feature: 1, label: 'Industry', actionable: false, leadValue: 'Engineering', idealValue: 'Technology', pointsLost: Math.log(2.3) },
    { feature: 12, label: 'Marketing e-mails opened', actionable: true, leadValue: '4', idealValue: '12 – 58', pointsLost: Math.log(1.7) },
    { feature: 5, label: 'Country', actionable: false, leadValue: 'Canada', idealValue: 'Canada', pointsLost: 0 },
  ];
  rendered = render(<DeviationsTable deviations={deviations} />);
  const tables = Array.from(rendered.container.querySelectorAll<HTMLTableElement>('table.deviations'), (table) => ({
    group: table.dataset.group,
    caption: table.querySelector('caption')?.textContent,
    oddsHeading: table.querySelector('thead th:last-child')?.textContent,
    rows: Array.from(table.querySelectorAll('tbody tr'), (row) => Array.from(row.children, (cell) => cell.textContent)),
  }));
  // Before: one table, "Compared with the ideal customer", "Lead source | Purchased List | Direct Traffic | ×4.1" first, read as a
  // change ("changing only this feature … would multiply the lead's odds") under "What would make this lead hotter".
  expect(tables).toEqual([
    {
      group: 'engagement',
      caption: "Engagement: what a rep's work can change",
      oddsHeading: 'Odds if ideal',
      rows: [['Marketing e-mails opened', '4', '12 – 58', '×1.7']],
    },
    {
      group: 'fit',
      caption: 'Fit: who the lead is, which no rep changes',
      oddsHeading: 'Odds of leads with the ideal',
      rows: [
        ['Lead source', 'Purchased List', 'Direct Traffic', '×4.1'],
        ['Industry', 'Engineering', 'Technology', '×2.3'],
        ['Country', 'Canada', 'Canada', 'the same'],
      ],
    },
  ]);
  const note = rendered.container.querySelector('.deviations-note')?.textContent;
  expect(note).toContain(
    "Odds of leads with the ideal: the odds of a lead like this one but with the nearest ideal value, as a multiple of this lead's (about the same below ×1.05): a comparison, as no rep changes who a lead is.",
  );
  expect(rendered.container.querySelector('.deviations-none')).toBeNull();
});

it('says so when no field of the lead is compared, rather than a table of headings alone', () => {
  rendered = render(<DeviationsTable deviations={[]} />);
  expect(rendered.container.querySelector('table')).toBeNull();
  expect(rendered.container.querySelector('.deviations-none')?.textContent).toBe('No field of this lead to compare.');
});

it('shows one sentence under the ideal table and folds how the ideal and the odds are found in a closed <details>: the whole note took 25 lines of the side panel', () => {
  rendered = render(<DeviationsTable deviations={[{ feature: 9, label: 'Website visits', actionable: true, leadValue: '5', idealValue: '9 – 16', pointsLost: 0.3 }]} />);
  const note = rendered.container.querySelector('.deviations-note')!;
  const details = note.querySelector('details')!;
  expect(details.open).toBe(false);
  expect(details.querySelector('summary')?.textContent).toBe('How the ideal and the odds are found');
  // Shown while it is closed: the one sentence, nothing else.
  const shown = Array.from(note.children, (child) => (child === details ? details.querySelector('summary')!.textContent : child.textContent));
  expect(shown).toEqual(['Ideal: the value (or range) that would score highest for this lead, among those enough past leads had.', 'How the ideal and the odds are found']);
  // Folded: the whole note, from its first sentence to its last.
  const folded = details.querySelector('p')?.textContent?.replace(/\s+/g, ' ').trim();
  expect(folded).toMatch(/^Ideal: the value \(or range\) that would score highest for this lead, its other features as they are, among those enough past leads had:/);
  expect(folded).toMatch(/Odds if ideal: .* Odds of leads with the ideal: .* Not compared: .* where no known value would score higher\.$/);
});

it('says a click rate above the ideal is not compared: only a lead opening e-mails without clicking lowers it', () => {
  rendered = render(<DeviationsTable deviations={[]} />);
  expect(rendered.container.querySelector('.deviations-note')?.textContent).toContain(
    'counts it already has more of than the ideal (they only grow), a rate of them above the ideal (a click rate falls only when the lead opens e-mails without clicking), and what is not known',
  );
});

it("explains an ideal range as values that score alike, and its odds as those of its value nearest the lead's", () => {
  rendered = render(<DeviationsTable deviations={[{ feature: 9, label: 'Website visits', actionable: true, leadValue: '5', idealValue: '9 – 16', pointsLost: 0.3 }]} />);
  const note = rendered.container.querySelector('.deviations-note')?.textContent;
  // Before: "the value (or range) that would score highest", its odds "changing only this feature to it", as if every value of
  // a range scored as its best ("Ideal 9 or more, ×1.4", where 9 gives ×1.14).
  expect(note).toContain('Ideal: the value (or range) that would score highest for this lead');
  expect(note).toContain('among those enough past leads had: values that score about alike, unless too few past leads had such values');
  expect(note).toContain('changing this feature to the nearest value of it');
});

it('says the odds of an ideal are those of the record a CRM holds with the change, and names no value no CRM would record', () => {
  rendered = render(<DeviationsTable deviations={[{ feature: 12, label: 'Marketing e-mails opened', actionable: true, leadValue: '1', idealValue: '5', pointsLost: 0.5 }]} />);
  const note = rendered.container.querySelector('.deviations-note')?.textContent;
  // Before: "changing only this feature", where the table scored a record with the click rate of the old opens, which no lead has.
  expect(note).not.toContain('changing only this feature');
  expect(note).toContain(
    'changing this feature to the nearest value of it, and what a CRM records with it (the click rate of new opens or clicks, the first visit and page view of a first page seen), would multiply',
  );
  expect(note).toContain("never one a CRM would not record beside the lead's others (more e-mails clicked than opened, more visits than page views)");
  expect(note).toContain('visits, page views and form submissions of a lead with none, which come with a first page seen, compared as the last page seen');
});

it('names the fields the comparison leaves out because the page does not show them, and how LeadLens would compare them too', () => {
  const deviations: Deviation[] = [{ feature: 4, label: 'Title seniority', actionable: false, leadValue: 'vp', idealValue: 'vp', pointsLost: 0 }];
  rendered = render(<DeviationsTable deviations={deviations} notOnPage={{ crm: 'hubspot', labels: ['Website visits', 'Page views'] }} />);
  expect(Array.from(rendered.container.querySelectorAll('tbody th'), (cell) => cell.textContent)).toEqual(['Title seniority']);
  expect(rendered.container.querySelector('.not-on-page')?.textContent).toBe(
    'Not read, so not compared: Website visits, Page views. LeadLens compares a field this page shows, or one it reads from HubSpot itself: connected to this portal under CRM connections in the LeadLens options, the record and the field readable.',
  );
  rendered.unmount();
  // Every field read (the CRM's record): nothing to say.
  rendered = render(<DeviationsTable deviations={deviations} notOnPage={{ crm: 'hubspot', labels: [] }} />);
  expect(rendered.container.querySelector('.not-on-page')).toBeNull();
});

it('says a plan made from the page alone leaves out the fields the page does not show, never that the lead\'s fit decides its score', () => {
  const nothingVisible = { ...plan, changes: [], reaches: false };
  rendered = render(<HotterPlanView plan={nothingVisible} tiers={tiers} notOnPage={['Website visits', 'Marketing e-mails opened']} />);
  expect(rendered.container.textContent).toBe("No change to the fields LeadLens read would noticeably raise this lead's score. It could not read Website visits, Marketing e-mails opened.");
  rendered.unmount();
  rendered = render(<HotterPlanView plan={plan} tiers={tiers} notOnPage={['Marketing e-mails opened']} />);
  expect(rendered.container.querySelector('.plan-not-on-page')?.textContent).toBe('Not suggested, as this page does not show them: Marketing e-mails opened.');
  rendered.unmount();
  rendered = render(<HotterPlanView plan={plan} tiers={tiers} notOnPage={[]} />);
  expect(rendered.container.querySelector('.plan-not-on-page')).toBeNull();
});

/** The odds column of the comparison table for these deviations. */
const oddsColumn = (deviations: readonly Deviation[]) => {
  rendered = render(<DeviationsTable deviations={deviations} />);
  return Array.from(rendered.container.querySelectorAll('tbody tr'), (row) => row.lastElementChild?.textContent);
};

it('writes an odds factor only from the least change the plan offers (×1.05), never "×1" beside an ideal that differs', () => {
  const lost = (pointsLost: number, feature: number): Deviation => ({ feature, label: 'Website visits', actionable: true, leadValue: '2', idealValue: '9 – 16', pointsLost });
  expect(oddsColumn([0, 0.001, 0.03, 0.048, MIN_CHANGE_POINTS, 0.2].map(lost))).toEqual([
    'no change',
    'no visible change',
    'no visible change',
    'no visible change',
    '×1.1',
    '×1.2',
  ]);
  rendered!.unmount();
  // A lead's fit is compared, not changed: its odds are "the same" as those of leads with the ideal, not "no change".
  const fit = (pointsLost: number, feature: number): Deviation => ({ feature, label: 'Country', actionable: false, leadValue: 'United States', idealValue: 'Canada', pointsLost });
  expect(oddsColumn([0, 0.001, 0.03, 0.048, MIN_CHANGE_POINTS, 0.2].map(fit))).toEqual(['the same', 'about the same', 'about the same', 'about the same', '×1.1', '×1.2']);
});

it('gives a range kept whole the odds of its values from the least to the most, never its best value\'s alone', () => {
  const kept = (least: number, most: number, feature: number): Deviation => ({
    feature,
    label: 'Website visits',
    actionable: true,
    leadValue: '1',
    idealValue: '9 – 23',
    pointsLost: most,
    pointsAcross: { least, most },
  });
  // Before: "×3.4", "×1.8", "×1.8", "no visible change", "×3.4" (its best value's odds, as if every value of the range gave them).
  expect(oddsColumn([kept(0.6, 1.23, 1), kept(-0.5, 0.6, 2), kept(0.02, 0.6, 3), kept(-0.01, 0.03, 4), kept(1.22, 1.23, 5)])).toEqual([
    '×1.8 – ×3.4',
    '÷1.6 – ×1.8',
    '×1 – ×1.8',
    'no visible change',
    '×3.4',
  ]);
  expect(rendered!.container.querySelector('.deviations-note')?.textContent).toContain(
    'Where too few past leads had values that score alike, the ideal is a wider range whose values can score far apart: its odds read from the least to the most any value of it would give (÷ where a value would lower them).',
  );
});

it('reads the odds of a range the comparison keeps whole across its values: 9 – 12 give ×1.8, 17 – 23 ×3.4', () => {
  // 1,530 leads with a value: a range must hold 76.5. "9 – 23" (110 leads) has the best mean; 13 – 23 score alike but 50 leads hold them.
  const axis = { labels: ['≤ 1', '2 – 4', '5 – 8', '9 – 12', '13 – 16', '17 – 23', '> 23', 'missing'], edges: [1.5, 4.5, 8.5, 12.5, 16.5, 23.5] };
  const manifest = handMadeManifest({
    features: [{ key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } } }],
    terms: [{ features: [0], label: 'Website visits', shape: { axes: [axis], scores: [-0.3, 0.1, 0.25, 0.3, 0.9, 0.93, 0.2, 0] } }],
    intercept: -2,
    referenceFeatures: [{ key: 'visits', missingShare: 100 / 1630, idealValue: '', idealContribution: 0, binRows: [600, 500, 300, 60, 40, 10, 20, 100] }],
  });
  rendered = render(<DeviationsTable deviations={deviationsFromIdeal(manifest, [1], 'csv')} />);
  expect(Array.from(rendered.container.querySelectorAll('tbody tr > *'), (cell) => cell.textContent)).toEqual(['Website visits', '1', '9 – 23', '×1.8 – ×3.4']);
});

it('reads no "×1" for any demo lead of the bundled model', () => {
  const manifest = bundledManifest();
  const now = new Date('2026-11-20T00:00:00Z');
  const deviations = generateDemoLeads({ count: 150, seed: 5, now }).flatMap((lead) =>
    (['hubspot', 'salesforce'] as const).flatMap((source) => deviationsFromIdeal(manifest, featurizeRecord(lead[source] as RawRecord, manifest.features, source, now), source)),
  );
  // All in one table, each row its own key.
  const odds = oddsColumn(deviations.map((d, i) => ({ ...d, feature: i })));
  expect(odds).not.toContain('×1');
  expect(odds.filter((cell) => cell?.startsWith('×')).length).toBeGreaterThan(1500);
  // Below ×1.05, in the words of engagement ("no visible change") and of fit ("about the same").
  expect(odds.filter((cell) => cell === 'no visible change' || cell === 'about the same').length).toBeGreaterThan(150);
});

/** A CRM value with no space, as a HubSpot industry's internal name: wider than a 320 px side panel unless it wraps. */
const UNBROKEN = 'INFORMATION_TECHNOLOGY_AND_SERVICES_OUTSOURCING';

/** The lead's and the ideal value of a comparison row, each with how it may break under the side panel's own style sheet. */
function comparisonWrapping(leadValue: string, idealValue: string): [string | null, string][] {
  const style = document.head.appendChild(document.createElement('style'));
  style.textContent = readFileSync('components/page.css', 'utf8');
  try {
    rendered = render(<DeviationsTable deviations={[{ feature: 1, label: 'Industry', actionable: false, leadValue, idealValue, pointsLost: 0.8 }]} />);
    return Array.from(rendered.container.querySelectorAll('tbody td bdi'), (value) => [value.textContent, getComputedStyle(value).overflowWrap]);
  } finally {
    style.remove();
  }
}

it("wraps the lead's and the ideal value anywhere, so a value with no space cannot run the comparison table off a narrow side panel", () => {
  expect(comparisonWrapping(UNBROKEN, `${UNBROKEN}_AND_MORE`)).toEqual([
    [UNBROKEN, 'anywhere'],
    [`${UNBROKEN}_AND_MORE`, 'anywhere'],
  ]);
});

it('breaks ordinary words and money figures only between words: a column that may break anywhere is shrunk until they break ("Enginee/ring")', () => {
  const wrapping = comparisonWrapping('Engineering', '$285,000,000 – $595,000,000');
  expect(wrapping.map(([value]) => value)).toEqual(['Engineering', '$285,000,000 – $595,000,000']);
  expect(wrapping.map(([, overflowWrap]) => overflowWrap)).not.toContain('anywhere');
});

it('wraps "Telecommunications" beside money figures only in a side panel narrower than Chrome\'s default 360 px, where their row cannot fit whole', () => {
  const viewport = (window as unknown as { happyDOM: { setViewport(viewport: { width: number; height: number }): void } }).happyDOM;
  const wrappingAtWidth = (width: number) => {
    viewport.setViewport({ width, height: 900 });
    const wrapping = comparisonWrapping('Telecommunications', '$285,000,000 – $595,000,000').map(([, overflowWrap]) => overflowWrap);
    rendered?.unmount();
    rendered = undefined;
    return wrapping;
  };
  try {
    expect(wrappingAtWidth(360)).not.toContain('anywhere');
    // The money figures, of 12 characters, are kept whole even there.
    expect(wrappingAtWidth(320)).toEqual(['anywhere', expect.not.stringMatching('anywhere')]);
  } finally {
    viewport.setViewport({ width: 1024, height: 768 });
  }
});
