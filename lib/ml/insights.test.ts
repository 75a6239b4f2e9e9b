import { describe, expect, it } from 'vitest';
import { deviationsFromIdeal, featuresNotRead, MIN_CHANGE_POINTS, modelHasShapes, whatWouldMakeHotter } from './insights';
import { valuesAsWritten } from './explain';
import { MAX_VALUE_CHARS } from './visible-text';
import { featurizeRecord, type RawRecord } from './featurize';
import { termContribution } from './shape';
import type { Manifest } from './manifest';
import { handMadeManifest } from '../../test/fixtures/manifest';
import { mulberry32 } from './random';
import { sigmoid } from './train/calibration';
import { idealOf } from './train/term-shapes';
import { oddsFactor } from '../presentation';

// Three features: website visits (actionable; bins 0 | 1–5 | >5 | missing), industry (not
// actionable), e-mails opened (actionable; ≤2 | >2 | missing), and a visits × opens pair
// that adds 0.4 only for ">5 visits and >2 opens". No calibration: p = sigmoid(logit).
const pairScores = Array(12).fill(0);
pairScores[2 * 3 + 1] = 0.4;
const manifest: Manifest = handMadeManifest({
  features: [
    { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true },
    { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech', 'Retail'], derive: { kind: 'value', from: { csv: 'industry' } } },
    { key: 'opens', label: 'E-mails opened', type: 'numeric', derive: { kind: 'value', from: { csv: 'opens' } }, actionable: true },
  ],
  terms: [
    { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] }], scores: [-1, 0, 1, -0.5] } },
    { features: [1], label: 'Industry', shape: { axes: [{ labels: ['Tech', 'Retail', 'missing'], edges: [] }], scores: [0.5, -0.5, 0] } },
    { features: [2], label: 'E-mails opened', shape: { axes: [{ labels: ['≤ 2', '> 2', 'missing'], edges: [2] }], scores: [-0.2, 0.3, 0] } },
    {
      features: [0, 2],
      label: 'Website visits × E-mails opened',
      shape: {
        axes: [
          { labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] },
          { labels: ['≤ 2', '> 2', 'missing'], edges: [2] },
        ],
        scores: pairScores,
      },
    },
  ],
  intercept: -2,
});

/** A feature's summary of the training data: how often it was missing, and the counts it was never above. */
const summaryOf = (key: string, missingShare: number, atMost?: string[]) => ({ key, missingShare, idealValue: '', idealContribution: 0, ...(atMost && { atMost }) });

/** The contributions the model would return for a row: every term's shape at the row's bins. */
function contributionsOf(row: number[], model: Manifest = manifest): number[] {
  return model.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f])));
}

/**
 * A model of e-mails opened and clicked, and the click rate computed from them, each raised by a
 * rep's work: the bins of opens and of the rate scoring as the test says.
 */
function opensAndClicksModel(scores: { opens: number[]; clickRate: number[] }): Manifest {
  return handMadeManifest({
    features: [
      { key: 'opens', label: 'E-mails opened', type: 'numeric', derive: { kind: 'value', from: { csv: 'opens' } }, actionable: true },
      { key: 'clicks', label: 'E-mails clicked', type: 'numeric', derive: { kind: 'value', from: { csv: 'clicks' } }, actionable: true },
      {
        key: 'click_rate',
        label: 'E-mail click rate',
        type: 'numeric',
        unit: 'clicks per open',
        derive: { kind: 'ratio', numerator: { csv: 'clicks' }, denominator: { csv: 'opens' } },
        actionable: true,
      },
    ],
    terms: [
      { features: [0], label: 'E-mails opened', shape: { axes: [{ labels: ['≤ 0', '1 – 4', '5 – 9', '≥ 10', 'missing'], edges: [0.5, 4.5, 9.5] }], scores: scores.opens } },
      { features: [1], label: 'E-mails clicked', shape: { axes: [{ labels: ['≤ 0', '1 – 2', '≥ 3', 'missing'], edges: [0.5, 2.5] }], scores: [-0.3, 0.4, 0.9, 0] } },
      {
        features: [2],
        label: 'E-mail click rate',
        shape: { axes: [{ labels: ['≤ 0.25', '0.25 – 0.5', '> 0.5', 'missing'], edges: [0.25, 0.5] }], scores: scores.clickRate },
      },
    ],
    intercept: -2,
  });
}

/** A CSV record's row for `model`, read on a fixed day, and the plan that would make it hotter. */
function csvPlanning(model: Manifest) {
  const now = new Date('2026-11-01T00:00:00Z');
  const rowOf = (record: RawRecord) => Array.from(featurizeRecord(record, model.features, 'csv', now));
  const planFor = (record: RawRecord) => {
    const row = rowOf(record);
    return whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv');
  };
  return { rowOf, planFor };
}

describe('deviationsFromIdeal', () => {
  it('reads a value too large for float32 (Infinity in the model input) in the top bin, as the model does, not as missing', () => {
    const visits = deviationsFromIdeal(manifest, [Number.POSITIVE_INFINITY, 1, 1], 'csv').find((d) => d.feature === 0);
    expect(visits).toMatchObject({ leadValue: '> 5', pointsLost: 0 });
  });

  it('gives each feature the lead value, the ideal value and the points lost, largest first', () => {
    // 0 visits (−1 vs ideal 1), Retail (−0.5 vs 0.5), 1 open (−0.2 vs 0.3)
    expect(deviationsFromIdeal(manifest, [0, 1, 1], 'csv')).toEqual([
      { feature: 0, label: 'Website visits', actionable: true, leadValue: '0', idealValue: '> 5', pointsLost: 2 },
      { feature: 1, label: 'Industry', actionable: false, leadValue: 'Retail', idealValue: 'Tech', pointsLost: 1 },
      { feature: 2, label: 'E-mails opened', actionable: true, leadValue: '1', idealValue: '> 2', pointsLost: expect.closeTo(0.5, 12) },
    ]);
  });
  it("words a category's lead and ideal values as the lead's CRM labels them on its pages", () => {
    const labelled: Manifest = {
      ...manifest,
      features: manifest.features.map((feature, f) =>
        f === 1 ? { ...feature, derive: { kind: 'value', from: { csv: 'industry', hubspot: 'industry' }, optionLabels: { hubspot: { Tech: 'Technology', Retail: 'Retail & Shops' } } } } : feature,
      ),
    };
    expect(deviationsFromIdeal(labelled, [0, 1, 1], 'hubspot').find((d) => d.feature === 1)).toMatchObject({ leadValue: 'Retail & Shops', idealValue: 'Technology', pointsLost: 1 });
    expect(deviationsFromIdeal(labelled, [0, 1, 1], 'csv').find((d) => d.feature === 1)).toMatchObject({ leadValue: 'Retail', idealValue: 'Tech' });
  });

  it("cuts a level or a bin's label of any length, as an imported manifest may hold, as a value of the lead's is shown, in the table and the plan", () => {
    const long = 'A'.repeat(1_000_000);
    const tech = `Tech ${long}`;
    const overFive = `> 5 ${long}`; // a label naming its bin (5 and above), then a megabyte
    const model: Manifest = {
      ...manifest,
      // Industry made a rep's to change; opens not, so the plan moves visits and industry.
      features: manifest.features.map((feature, f) => (f === 1 ? { ...feature, actionable: true, vocabulary: [tech, 'Retail'] } : { ...feature, actionable: f === 0 })),
      terms: manifest.terms.map((term, t) => {
        if (t === 0) return { ...term, shape: { ...term.shape!, axes: [{ ...term.shape!.axes[0], labels: ['0', '1 – 5', overFive, 'missing'] }] } };
        return t === 1 ? { ...term, shape: { ...term.shape!, axes: [{ labels: [tech, 'Retail', 'missing'], edges: [] }] } } : term;
      }),
    };
    const cut = (label: string) => `${label.slice(0, MAX_VALUE_CHARS - 1)}…`;
    const row = [0, 1, 1];
    expect(deviationsFromIdeal(model, row, 'csv').map(({ leadValue, idealValue }) => [leadValue, idealValue])).toEqual([
      ['0', cut(overFive)],
      ['Retail', cut(tech)],
      ['1', '> 2'],
    ]);
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    expect(plan.changes.map(({ from, to }) => [from, to])).toEqual([
      ['0', cut(overFive)],
      ['Retail', cut(tech)],
    ]);
  });

  it("words a title's seniority, the lead's and the ideal's, for a rep, never as the model codes it", () => {
    const seniority = handMadeManifest({
      features: [{ key: 'title_seniority', label: 'Title seniority', type: 'categorical', vocabulary: ['individual', 'vp', '(other)'], otherCode: 2, derive: { kind: 'titleSeniority', from: { csv: 'title' } } }],
      terms: [{ features: [0], label: 'Title seniority', shape: { axes: [{ labels: ['individual', 'vp', '(other)', 'missing'], edges: [] }], scores: [-0.5, 0.5, 0, 0] } }],
      intercept: -2,
    });
    const row = Array.from(featurizeRecord({ title: 'Consultant' }, seniority.features, 'csv', new Date('2026-11-01T00:00:00Z')));
    expect(deviationsFromIdeal(seniority, row, 'csv')).toEqual([
      { feature: 0, label: 'Title seniority', actionable: false, leadValue: 'Individual contributor', idealValue: 'VP', pointsLost: 1 },
    ]);
  });

  it('leaves out a feature whose field the page does not show, and names it: its value is not known, unlike one the page shows empty', () => {
    // Read from a page that shows the industry and the e-mails opened (none yet) but not the website visits.
    const fromThePage = [false, true, true];
    const row = [Number.NaN, 1, Number.NaN];
    expect(deviationsFromIdeal(manifest, row, 'csv', undefined, fromThePage).map((d) => [d.label, d.leadValue, d.idealValue])).toEqual([
      ['Industry', 'Retail', 'Tech'],
      ['E-mails opened', 'not known', '> 2'],
    ]);
    expect(featuresNotRead(manifest, row, 'csv', fromThePage)).toEqual({ planned: ['Website visits'], compared: ['Website visits'] });
    // Every field read (the CRM's record): the visits the record has empty are compared, as before.
    expect(deviationsFromIdeal(manifest, row, 'csv', undefined, [true, true, true])).toEqual(deviationsFromIdeal(manifest, row, 'csv'));
    expect(deviationsFromIdeal(manifest, row, 'csv').map((d) => d.label)).toContain('Website visits');
    expect(featuresNotRead(manifest, row, 'csv', undefined)).toEqual({ planned: [], compared: [] });
  });

  it('never calls "missing" ideal, even when it scores best', () => {
    // "> 5" visits gains 1 − (−0.5) on its own term, and 0.4 more with the lead's "> 2" opens in the pair.
    expect(deviationsFromIdeal(manifest, [Number.NaN, 0, 9], 'csv').find((d) => d.feature === 0)).toMatchObject({ leadValue: 'not known', idealValue: '> 5', pointsLost: expect.closeTo(1.9, 12) });
  });

  it('leaves out a feature the lead has no value for when every known value would lower its odds: no "Ideal: not known"', () => {
    // Industry missing scores 0; "Tech" is made to score below it: no known industry helps this lead.
    const model: Manifest = { ...manifest, terms: manifest.terms.map((term, t) => (t === 1 ? { ...term, shape: { ...term.shape!, scores: [-0.1, -0.5, 0] } } : term)) };
    expect(deviationsFromIdeal(model, [0, Number.NaN, 1], 'csv').map((d) => d.label)).toEqual(['Website visits', 'E-mails opened']);
    // A lead with an industry keeps its own as the ideal: nothing better to name, and nothing lost.
    expect(deviationsFromIdeal(model, [0, 0, 1], 'csv').find((d) => d.feature === 1)).toEqual({ feature: 1, label: 'Industry', actionable: false, leadValue: 'Tech', idealValue: 'Tech', pointsLost: 0 });
  });

  it('leaves out "days since" features: no trait of the customer, and their best day mostly noise', () => {
    const daysSince = handMadeManifest({
      features: [
        { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } } },
        { key: 'days_since_activity', label: 'Days since last activity', type: 'numeric', derive: { kind: 'daysSince', from: { csv: 'last_activity_at' } } },
      ],
      terms: [
        { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['≤ 5', '> 5', 'missing'], edges: [5] }], scores: [-0.5, 0.5, 0] } },
        { features: [1], label: 'Days since last activity', shape: { axes: [{ labels: ['≤ 43', '44', '> 44', 'missing'], edges: [43, 44] }], scores: [0, 0.3, -0.2, 0] } },
      ],
      intercept: -2,
    });
    expect(deviationsFromIdeal(daysSince, [1, 10], 'csv').map((d) => d.label)).toEqual(['Website visits']);
  });

  it('picks the ideal with the lead\'s pairs, so moving there gains exactly the points lost, never fewer', () => {
    // The pair now costs 1.5 for "> 5" visits with "≤ 2" opens: for a lead with 1 open, "> 5" visits
    // (+2 on its own term) nets only 0.5, and "1 – 5" (+1) is this lead's ideal.
    const penalty = Array(12).fill(0);
    penalty[2 * 3 + 0] = -1.5;
    const model: Manifest = { ...manifest, terms: manifest.terms.map((term, t) => (t === 3 ? { ...term, shape: { ...term.shape!, scores: penalty } } : term)) };
    const row = [0, 1, 1];
    const visits = deviationsFromIdeal(model, row, 'csv').find((d) => d.feature === 0)!;
    expect(visits).toMatchObject({ leadValue: '0', idealValue: '1 – 5', pointsLost: 1 });
    const logit = (r: number[]) => contributionsOf(r, model).reduce((sum, points) => sum + points, 0);
    expect(logit([3, 1, 1]) - logit(row)).toBeCloseTo(visits.pointsLost, 12);
    expect(logit([9, 1, 1]) - logit(row)).toBeLessThan(visits.pointsLost);
  });

  describe('a number whose neighbouring bins score the same', () => {
    // One numeric feature: as trained shapes are, flat over runs of bins.
    const modelWith = (labels: string[], scores: number[], unit?: string) =>
      handMadeManifest({
        features: [{ key: 'employees', label: 'Employees', type: 'numeric', unit, derive: { kind: 'value', from: { csv: 'employees' } } }],
        terms: [{ features: [0], label: 'Employees', shape: { axes: [{ labels: [...labels, 'missing'], edges: [10.5, 50.5, 200.5, 1000.5] }], scores: [...scores, 0] } }],
        intercept: -2,
      });
    const labels = ['≤ 10', '11 – 50', '51 – 200', '201 – 1,000', '≥ 1,001'];
    const ideal = (model: Manifest, value: number) => deviationsFromIdeal(model, [value], 'csv')[0];

    it('gives the whole run as the ideal, not its first narrow bin', () => {
      expect(ideal(modelWith(labels, [-0.5, 0.2, 0.6, 0.6, 0.1]), 5)).toEqual({ feature: 0, label: 'Employees', actionable: false, leadValue: '5', idealValue: '51 – 1,000', pointsLost: 1.1 });
    });

    it('reads a run at either end as "up to" or "or more", with the unit once', () => {
      expect(ideal(modelWith(labels, [0.6, 0.6, 0.2, 0.1, 0]), 500).idealValue).toBe('≤ 50');
      const days = ['≤ 10 days', '11 – 50 days', '51 – 200 days', '201 – 1,000 days', '≥ 1,001 days'];
      expect(ideal(modelWith(days, [-0.5, 0.2, 0.3, 0.6, 0.6], 'days'), 5).idealValue).toBe('201 days or more');
      expect(ideal(modelWith(labels, [0.6, 0.6, 0.6, 0.6, 0.6]), Number.NaN)).toMatchObject({ idealValue: 'any value', pointsLost: 0.6 });
    });

    it('loses nothing inside the run', () => {
      expect(ideal(modelWith(labels, [-0.5, 0.2, 0.6, 0.6, 0.1]), 300)).toMatchObject({ leadValue: '300', idealValue: '51 – 1,000', pointsLost: 0 });
    });

    it("shows the lead's value as the CRM wrote it where that is no plain number, not the bin of the number read from it", () => {
      const model = modelWith(labels, [-0.5, 0.2, 0.6, 0.6, 0.1]);
      // A HubSpot range read as its lower end, 5: "Employees: 5-25, ideal 51 – 1,000", not "≤ 10".
      const record = { employees: '5-25' };
      const now = new Date('2026-11-01T00:00:00Z');
      const row = Array.from(featurizeRecord(record, model.features, 'csv', now));
      expect(deviationsFromIdeal(model, row, 'csv', valuesAsWritten(model, record, 'csv', now))).toEqual([
        { feature: 0, label: 'Employees', actionable: false, leadValue: '5-25', idealValue: '51 – 1,000', pointsLost: 1.1 },
      ]);
      expect(deviationsFromIdeal(model, [300], 'csv', ['250-500'])[0]).toMatchObject({ leadValue: '250-500', idealValue: '51 – 1,000', pointsLost: 0 });
      // A plain number (null) is shown as a reason words it, not as its bin ("≤ 10"); text from elsewhere is shown as other CRM text is: visible, clipped.
      expect(deviationsFromIdeal(model, [5], 'csv', [null])[0].leadValue).toBe('5');
      expect(deviationsFromIdeal(model, [5], 'csv', [`5-25\u202E${' employees'.repeat(20)}`])[0].leadValue).toBe(`5-25${' employees'.repeat(20)}`.slice(0, MAX_VALUE_CHARS - 1).trimEnd() + '…');
    });

    it("names the model's currency beside an amount shown as the CRM wrote it, so a page's euros are not read against bare dollars", () => {
      const dollars = ['≤ $10', '$11 – $50', '$51 – $200', '$201 – $1,000', '≥ $1,001'];
      const revenue = (unit: string) => modelWith(dollars, [-0.5, 0.2, 0.6, 0.6, 0.1], unit);
      expect(deviationsFromIdeal(revenue('USD'), [5], 'csv', ['€5'])[0]).toMatchObject({ leadValue: '€5', idealValue: '$51 – $1,000 (USD)', pointsLost: 1.1 });
      expect(deviationsFromIdeal(revenue('$'), [5], 'csv', ['5 €'])[0].idealValue).toBe('$51 – $1,000 (USD)');
      // Beside the model's own wording of a plain number, the sign says it; a unit that is no currency, or every value ideal, says nothing more.
      expect(deviationsFromIdeal(revenue('USD'), [5], 'csv', [null])[0]).toMatchObject({ leadValue: '$5', idealValue: '$51 – $1,000' });
      expect(deviationsFromIdeal(revenue('employees'), [5], 'csv', ['5-25'])[0].idealValue).toBe('$51 – $1,000');
      expect(deviationsFromIdeal(modelWith(dollars, [0.6, 0.6, 0.6, 0.6, 0.6], 'USD'), [5], 'csv', ['€5'])[0].idealValue).toBe('any value');
    });
  });
});

describe("an ideal range's ends, and the lead's value beside them", () => {
  // Labels as the trainer wrote them before: a bin's lower end at the edge the bin below ends at (a value that bin holds).
  const numberModel = (feature: object, edges: number[], labels: string[], scores: number[]) =>
    handMadeManifest({
      features: [{ key: 'x', label: 'X', type: 'numeric', derive: { kind: 'value', from: { csv: 'x' } }, actionable: false, ...feature }],
      terms: [{ features: [0], label: 'X', shape: { axes: [{ labels: [...labels, 'missing'], edges }], scores: [...scores, 0] } }],
      intercept: -2,
    });
  const compared = (model: Manifest, value: number) => deviationsFromIdeal(model, [Math.fround(value)], 'csv').map((d) => [d.leadValue, d.idealValue, d.pointsLost > 0]);

  // The bundled model's e-mail click rate: the edges 0.1603 and 0.2053 bound the ideal.
  const clickRate = numberModel(
    { unit: 'clicks per open' },
    [0.14835165441036224, 0.16025641560554504, 0.17424243688583374, 0.2052631676197052, 0.2620137333869934, 0.26393190026283264],
    ['≤ 0.148', '0.148 – 0.16', '0.16 – 0.174', '0.174 – 0.205', '0.205 – 0.262', '0.262 – 0.264', '> 0.264'].map((label) => `${label} clicks per open`),
    [-0.5, -0.2, 0.5, 0.5, -0.1, -0.3, -0.4],
  );

  it("writes a range's lower end as a value the range holds, not the edge of the bin below: a lead there reads outside it", () => {
    // 32 clicks of 200 opens, 0.16, is in the bin below the ideal (×1.7 from it). Before: "0.16 | 0.16 – 0.205", the value an end of the range it is not in.
    expect(compared(clickRate, 32 / 200)).toEqual([['0.16 clicks per open', '0.161 – 0.205 clicks per open', true]]);
    // 3 of 19, 0.158: as many digits as tell it from the end (before, "0.16" too).
    expect(compared(clickRate, 3 / 19)).toEqual([['0.158 clicks per open', '0.161 – 0.205 clicks per open', true]]);
  });

  it("writes the lead's value as its record has it, not as float32 rounds it: 41 clicks of 200 opens is 0.205 (its reasons round it to 0.21), within the range", () => {
    // float32 0.20499999523 read "0.2" before, where its reasons (the record's 0.205) read "0.21"; beside the range's end, as the end is written.
    expect(compared(clickRate, 41 / 200)).toEqual([['0.205 clicks per open', '0.161 – 0.205 clicks per open', false]]);
    expect(compared(clickRate, 0.17)).toEqual([['0.17 clicks per open', '0.161 – 0.205 clicks per open', false]]);
  });

  it("writes a range's end with the digits that hold a lead's value lying between that end and its bin's edge: the lead reads within its range", () => {
    // 9 clicks of 56 opens, 0.1607, is above the edge 0.1603: in the ideal. Before, "0.1607 | 0.161 – 0.205", a value below the range.
    expect(compared(clickRate, 9 / 56)).toEqual([['0.1607 clicks per open', '0.1603 – 0.205 clicks per open', false]]);
    // 39 of 190, 0.20526, is at most the edge 0.2052632. Before, "0.20526 | 0.161 – 0.205", a value above the range.
    expect(compared(clickRate, 39 / 190)).toEqual([['0.20526 clicks per open', '0.161 – 0.20526 clicks per open', false]]);
    // A lead of the bin below, or within the range's written ends, reads the range as every lead does.
    expect(compared(clickRate, 0.1602)).toEqual([['0.16 clicks per open', '0.161 – 0.205 clicks per open', true]]);
    expect(compared(clickRate, 0.1611)).toEqual([['0.1611 clicks per open', '0.161 – 0.205 clicks per open', false]]);
  });

  it('writes an amount past 16,777,216 in whole units where a lead lies between the tens the range is written in and its edge', () => {
    // Float32 holds even dollars only there: the bin over $30,500,000 is written from the tens, $30,500,010, and holds $30,500,004 (before, "$30,500,004 | $30,500,010 – $31,500,000").
    const revenue = numberModel(
      { unit: 'USD' },
      [13_500_000, 30_500_000, 31_500_000],
      ['≤ $13,500,000', '$13,500,001 – $30,500,000', '$30,500,010 – $31,500,000', '> $31,500,000'],
      [-0.5, -0.2, 0.5, -0.4],
    );
    expect(compared(revenue, 30_500_004)).toEqual([['$30,500,004', '$30,500,002 – $31,500,000', false]]);
    expect(compared(revenue, 30_500_000)).toEqual([['$30,500,000', '$30,500,010 – $31,500,000', true]]);
    expect(compared(revenue, 30_500_020)).toEqual([['$30,500,020', '$30,500,010 – $31,500,000', false]]);
  });

  it('writes an amount in whole units the range holds: $13,500,000 is in the bin below one over it', () => {
    // The bundled model's annual revenue. Before: "$13,500,000 | $13,500,000 – $20,500,000".
    const revenue = numberModel(
      { unit: 'USD' },
      [1_000_000, 13_500_000, 20_500_000, 50_000_000],
      ['≤ $1,000,000', '$1,000,000 – $13,500,000', '$13,500,000 – $20,500,000', '$20,500,000 – $50,000,000', '> $50,000,000'],
      [-0.5, -0.2, 0.5, -0.1, -0.4],
    );
    expect(compared(revenue, 13_500_000)).toEqual([['$13,500,000', '$13,500,001 – $20,500,000', true]]);
    expect(compared(revenue, 13_500_001)).toEqual([['$13,500,001', '$13,500,001 – $20,500,000', false]]);
  });

  it('writes an upper end the range holds as the model reads it, in float32: 1.07 is above an edge of 1.0699999', () => {
    // The xeducation data's page views per visit. Before: "1.07 | 0.5 – 1.07", and 1.07 is not in it.
    const edge = Math.fround(1.07 - 1e-7);
    const pageViews = numberModel({}, [0.5, edge, Math.fround(1.155), Math.fround(1.18)], ['≤ 0.5', '0.5 – 1.07', '1.07 – 1.16', '1.16 – 1.18', '> 1.18'], [-0.5, 0.5, -0.1, -0.2, -0.4]);
    expect(compared(pageViews, 1.07)).toEqual([['1.07', '0.501 – 1.06', true]]);
    expect(compared(pageViews, 0.5)).toEqual([['0.5', '0.501 – 1.06', true]]);
  });

  it("writes the lead's value with the digits that keep it in its own bin: 1.065 is no 1.07, which is in the bin above", () => {
    const edge = Math.fround(1.07 - 1e-7);
    const pageViews = numberModel({}, [0.5, edge, Math.fround(1.155), Math.fround(1.18)], ['≤ 0.5', '0.5 – 1.07', '1.07 – 1.16', '1.16 – 1.18', '> 1.18'], [-0.5, 0.5, -0.1, -0.2, -0.4]);
    // Before: "1.07" for both, one within the ideal and one losing odds. Within it, the range's end holds it (before, "0.501 – 1.06", below it).
    expect(compared(pageViews, 1.065)).toEqual([['1.065', '0.501 – 1.069', false]]);
    expect(compared(pageViews, 1.07)).toEqual([['1.07', '0.501 – 1.06', true]]);
    // So does the plan's "from" (1.16 – 1.18 made the best): before, "1.1", a value of the bin above.
    const toBest = { ...pageViews, features: [{ ...pageViews.features[0], actionable: true }], terms: [{ ...pageViews.terms[0], shape: { ...pageViews.terms[0].shape!, scores: [-0.5, 0.5, -0.1, 3, -0.4, 0] } }] };
    const row = [Math.fround(1.065)];
    expect(whatWouldMakeHotter(toBest, row, contributionsOf(row, toBest), 'csv')?.changes.map(({ from, to }) => [from, to])).toEqual([['1.065', '1.16 – 1.18']]);
  });
});

describe('deviationsFromIdeal on the odds of the probability shown', () => {
  // Row [0, 1, 1]: logit −2 − 1 − 0.5 − 0.2 = −3.7; the ideal gains 2 (visits), 1 (industry), 0.5 (opens) of the model's log-odds.
  const row = [0, 1, 1];
  const logOdds = (p: number) => Math.log(p / (1 - p));

  it('scales the points lost by Platt\'s a: a gain of 2 model points is odds ×e = 2.7 for the probability shown', () => {
    const deviations = deviationsFromIdeal({ ...manifest, calibration: { kind: 'platt', a: 0.5, b: -1 } }, row, 'csv');
    expect(deviations.map((d) => [d.label, d.pointsLost])).toEqual([
      ['Website visits', 1],
      ['Industry', 0.5],
      ['E-mails opened', 0.25],
    ]);
    expect(oddsFactor(deviations[0].pointsLost)).toBe('2.7');
  });

  it('gives the exact change of the calibrated log-odds under isotonic calibration, order kept', () => {
    // p rises by 0.1 per point from 0.1 at −4: 0.13 at −3.7; 0.33 at −1.7, 0.23 at −2.7, 0.18 at −3.2.
    const isotonic: Manifest = { ...manifest, calibration: { kind: 'isotonic', logits: [-4, 0], probabilities: [0.1, 0.5] } };
    const deviations = deviationsFromIdeal(isotonic, row, 'csv');
    expect(deviations.map((d) => d.label)).toEqual(['Website visits', 'Industry', 'E-mails opened']);
    const lost = deviations.map((d) => d.pointsLost);
    [0.33, 0.23, 0.18].forEach((after, i) => expect(lost[i]).toBeCloseTo(logOdds(after) - logOdds(0.13), 12));
  });

  it('loses nothing a rep would see where isotonic calibration is flat: the ideal is named, the probability shown would not move', () => {
    const flat: Manifest = { ...manifest, calibration: { kind: 'isotonic', logits: [-5, 0], probabilities: [0.1, 0.1] } };
    expect(deviationsFromIdeal(flat, row, 'csv').find((d) => d.feature === 0)).toMatchObject({ idealValue: '> 5', pointsLost: 0 });
  });
});

describe('deviationsFromIdeal with the training leads per bin', () => {
  // Seats: a spike of 3 leads (+2) in "21 – 30" beside a broad rise; 450 leads with a value, so a range
  // must hold 30 (5 % is 22.5). Plan: "Rare", 3 leads (+1.5), beside "Gold", 100 leads (+0.5).
  const seats = { key: 'seats', label: 'Seats', type: 'numeric', derive: { kind: 'value', from: { csv: 'seats' } } };
  const plan = { key: 'plan', label: 'Plan', type: 'categorical', vocabulary: ['Basic', 'Gold', 'Rare'], derive: { kind: 'value', from: { csv: 'plan' } } };
  const seatsAxis = { labels: ['≤ 10', '11 – 20', '21 – 30', '31 – 40', '41 – 50', '> 50', 'missing'], edges: [10, 20, 30, 40, 50] };
  const seatsScores = [-0.5, 0.4, 2, 0.6, 0.1, -0.2, 0];
  const planAxis = { labels: ['Basic', 'Gold', 'Rare', 'missing'], edges: [] };
  const seatsRows = [100, 20, 3, 27, 100, 200, 40];
  const planRows = [347, 100, 3, 40];
  const modelWith = ({ binRows = true, pairScores }: { binRows?: boolean; pairScores?: number[] } = {}) =>
    handMadeManifest({
      features: [seats, plan],
      terms: [
        { features: [0], label: 'Seats', shape: { axes: [seatsAxis], scores: seatsScores } },
        { features: [1], label: 'Plan', shape: { axes: [planAxis], scores: [0.1, 0.5, 1.5, 0] } },
        ...(pairScores ? [{ features: [0, 1], label: 'Seats × Plan', shape: { axes: [seatsAxis, planAxis], scores: pairScores } }] : []),
      ],
      intercept: -2,
      referenceFeatures: [
        { ...summaryOf('seats', 40 / 490), ...(binRows && { binRows: seatsRows }) },
        { ...summaryOf('plan', 40 / 490), ...(binRows && { binRows: planRows }) },
      ],
    });
  const logit = (model: Manifest, row: number[]) => contributionsOf(row, model).reduce((sum, points) => sum + points, 0);
  const deviationOf = (model: Manifest, row: number[], feature: number) => deviationsFromIdeal(model, row, 'csv').find((d) => d.feature === feature)!;

  it('never names a bin a handful of training leads stand behind: with no run of values scoring alike that 30 hold, the best range enough leads hold, as the trainer names it', () => {
    const model = modelWith();
    // From "≤ 10": "21 – 30" alone (3 leads) would gain 2.5, "31 – 40" (27 leads) 1.1: neither scores alike with another
    // nor holds 30 leads, so the best range of 30 leads, "21 – 40", stands whole. "41 – 50" (+0.6) scores visibly worse.
    expect(deviationOf(model, [5, 0], 0)).toMatchObject({ leadValue: '5', idealValue: '21 – 40' });
    // The model card's ideal of the same shape and leads: the lead has no pairs, so the two are one range.
    expect(idealOf(model.features[0], seatsAxis, seatsScores.slice(0, -1), seatsRows.slice(0, -1), true).idealValue).toBe('21 – 40');
    // A category's level must hold the leads itself: "Gold", not "Rare".
    expect(deviationOf(model, [5, 0], 1)).toMatchObject({ leadValue: 'Basic', idealValue: 'Gold', pointsLost: expect.closeTo(0.4, 12) });
    // The model with the same shapes but no bin counts (older manifests) names the spikes, as before.
    expect(deviationOf(modelWith({ binRows: false }), [5, 0], 0)).toMatchObject({ idealValue: '21 – 30', pointsLost: 2.5 });
    expect(deviationOf(modelWith({ binRows: false }), [5, 0], 1)).toMatchObject({ idealValue: 'Rare', pointsLost: expect.closeTo(1.4, 12) });
  });

  it('loses the points of the best value of a range kept whole, which moving there adds exactly', () => {
    const model = modelWith();
    expect(deviationOf(model, [5, 0], 0).pointsLost).toBe(2.5);
    expect(logit(model, [21, 0]) - logit(model, [5, 0])).toBe(2.5);
    // 45 seats (+0.1) are above the ideal "21 – 40", kept whole: its values score apart, 21 – 30 (3 of its 30 leads, its share)
    // adding 1.9 and 31 – 40 only 0.5. The odds are what the range the model card names can give, as for a lead below it.
    expect(deviationOf(model, [45, 0], 0)).toMatchObject({ leadValue: '45', idealValue: '21 – 40', pointsLost: expect.closeTo(1.9, 12) });
    expect(logit(model, [25, 0]) - logit(model, [45, 0])).toBeCloseTo(1.9, 12);
  });

  it('gives a range kept whole what its values add, least to most, not its best value\'s alone', () => {
    const model = modelWith();
    // Before: only the 2.5 of 21 – 30 for "21 – 40", where 31 – 40 add 1.1.
    expect(deviationOf(model, [5, 0], 0).pointsAcross).toEqual({ least: 1.1, most: 2.5 });
    expect(logit(model, [35, 0]) - logit(model, [5, 0])).toBeCloseTo(1.1, 12);
    expect(deviationOf(model, [45, 0], 0).pointsAcross).toEqual({ least: expect.closeTo(0.5, 12), most: expect.closeTo(1.9, 12) });
    // Within the range, nothing to move to; a level is one value, every one of its leads alike.
    expect(deviationOf(model, [25, 0], 0).pointsAcross).toBeUndefined();
    expect(deviationOf(model, [5, 0], 1).pointsAcross).toBeUndefined();
  });

  it('loses nothing for a lead within the ideal range', () => {
    const model = modelWith();
    expect(deviationOf(model, [35, 0], 0)).toMatchObject({ leadValue: '35', idealValue: '21 – 40', pointsLost: 0 });
    expect(deviationOf(model, [25, 0], 0)).toMatchObject({ idealValue: '21 – 40', pointsLost: 0 });
  });

  it('ranks ranges by the lead\'s own gains, its pairs included', () => {
    // For a Gold lead, the pair takes 1 from "21 – 40" seats and adds 0.9 to "> 50" (200 leads): its ideal is "> 50".
    const pairScores = Array(seatsAxis.labels.length * planAxis.labels.length).fill(0);
    const cell = (seatsBin: number, planBin: number) => seatsBin * planAxis.labels.length + planBin;
    pairScores[cell(2, 1)] = -1;
    pairScores[cell(3, 1)] = -1;
    pairScores[cell(5, 1)] = 0.9;
    const model = modelWith({ pairScores });
    const row = [5, 1];
    expect(deviationOf(model, row, 0)).toMatchObject({ idealValue: '> 50', pointsLost: expect.closeTo(1.2, 12) }); // −0.5 → −0.2 + 0.9
    expect(logit(model, [60, 1]) - logit(model, row)).toBeCloseTo(1.2, 12);
    expect(deviationOf(model, [5, 0], 0).idealValue).toBe('21 – 40'); // a Basic lead: the pair does not touch it
  });

  it('never asks a count a rep\'s work records to go down: a lead past its ideal is left out, one below or unknown is not', () => {
    // E-mails clicked peak at 2; a company's size scored the same way is no rep's work, and may be past its ideal.
    const clicksAxis = { labels: ['≤ 0', '1', '2', '3', '> 3', 'missing'], edges: [0.5, 1.5, 2.5, 3.5] };
    const peakAtTwo = [-0.1, 0.1, 0.2, 0.1, -0.05, 0];
    const model = handMadeManifest({
      features: [
        { key: 'clicks', label: 'E-mails clicked', type: 'numeric', derive: { kind: 'value', from: { csv: 'clicks' } }, actionable: true },
        { key: 'offices', label: 'Offices', type: 'numeric', derive: { kind: 'value', from: { csv: 'offices' } } },
      ],
      terms: [
        { features: [0], label: 'E-mails clicked', shape: { axes: [clicksAxis], scores: peakAtTwo } },
        { features: [1], label: 'Offices', shape: { axes: [clicksAxis], scores: peakAtTwo } },
      ],
      intercept: -2,
    });
    const compared = (row: number[]) => deviationsFromIdeal(model, row, 'csv').map((d) => [d.label, d.leadValue, d.idealValue, d.pointsLost]);
    // 4 clicks cannot become 2: no "ideal 2, ×1.3" for it. 4 offices is a fact to compare, not a change.
    expect(compared([4, 4])).toEqual([['Offices', '4', '2', expect.closeTo(0.25, 12)]]);
    expect(compared([1, 2])).toEqual([['E-mails clicked', '1', '2', expect.closeTo(0.1, 12)], ['Offices', '2', '2', 0]]);
    // Unknown clicks are none recorded yet: 2 is still ahead.
    expect(compared([Number.NaN, 2])[0]).toEqual(['E-mails clicked', 'not known', '2', expect.closeTo(0.2, 12)]);
  });

  it('keeps the lead\'s own value when no range holds enough leads', () => {
    const few = handMadeManifest({
      features: [seats],
      terms: [{ features: [0], label: 'Seats', shape: { axes: [seatsAxis], scores: seatsScores } }],
      intercept: -2,
      referenceFeatures: [{ ...summaryOf('seats', 0), binRows: [5, 5, 3, 5, 5, 5, 0] }],
    });
    expect(deviationsFromIdeal(few, [5], 'csv')).toEqual([{ feature: 0, label: 'Seats', actionable: false, leadValue: '5', idealValue: '5', pointsLost: 0 }]);
  });
});

describe('an ideal range whose mean hides values that add far less or far more', () => {
  // Visits (a count a rep's work raises) and offices (a fact), scored alike. 1,530 leads with a value: a range must hold 76.5.
  // "9 – 23" (110 leads) has the best mean, but 9 – 12 adds 0.6 to a lead with 1 where 13 – 23 adds 1.2 and 1.23; 50 leads
  // hold 13 – 23, too few for an ideal (a spike of chance may set its scores), so "9 – 23" stands whole.
  const axis = { labels: ['≤ 1', '2 – 4', '5 – 8', '9 – 12', '13 – 16', '17 – 23', '> 23', 'missing'], edges: [1.5, 4.5, 8.5, 12.5, 16.5, 23.5] };
  const scores = [-0.3, 0.1, 0.25, 0.3, 0.9, 0.93, 0.2, 0];
  const binRows = [600, 500, 300, 60, 40, 10, 20, 100];
  const model = handMadeManifest({
    features: [
      { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true },
      { key: 'offices', label: 'Offices', type: 'numeric', derive: { kind: 'value', from: { csv: 'offices' } } },
    ],
    terms: [
      { features: [0], label: 'Website visits', shape: { axes: [axis], scores } },
      { features: [1], label: 'Offices', shape: { axes: [axis], scores } },
    ],
    intercept: -2,
    referenceFeatures: [
      { ...summaryOf('visits', 100 / 1630), binRows },
      { ...summaryOf('offices', 100 / 1630), binRows },
    ],
  });
  const logit = (row: number[]) => contributionsOf(row, model).reduce((sum, points) => sum + points, 0);
  const compared = (row: number[]) => deviationsFromIdeal(model, row, 'csv').map((d) => [d.label, d.leadValue, d.idealValue, d.pointsLost]);

  it('names the range kept whole, with the odds of its best value, never those of a value of a lead or two', () => {
    // Before: "13 – 23", held by 50 of 1,530 leads. 17 – 23 (10 leads, its share of the range's 110) is its best value.
    expect(compared([1, 1])).toEqual([
      ['Website visits', '1', '9 – 23', expect.closeTo(1.23, 12)],
      ['Offices', '1', '9 – 23', expect.closeTo(1.23, 12)],
    ]);
    expect(logit([20, 1]) - logit([1, 1])).toBeCloseTo(1.23, 12);
    // Offices past the ideal: 0.93 − 0.2. Not known: both have the best value named, visits being none recorded yet.
    expect(compared([30, 30])).toEqual([['Offices', '30', '9 – 23', expect.closeTo(0.73, 12)]]);
    expect(compared([Number.NaN, Number.NaN])).toEqual([
      ['Website visits', 'not known', '9 – 23', expect.closeTo(0.93, 12)],
      ['Offices', 'not known', '9 – 23', expect.closeTo(0.93, 12)],
    ]);
  });

  it('loses nothing for a lead within the range kept whole, as within any ideal', () => {
    for (const lead of [10, 14, 20]) expect(compared([lead, lead]).map(([, , ideal, lost]) => [ideal, lost])).toEqual([['9 – 23', 0], ['9 – 23', 0]]);
    expect(deviationsFromIdeal(model, [14, 14], 'csv').map((d) => d.pointsAcross)).toEqual([undefined, undefined]);
  });

  it('gives what every value of the range kept whole adds, least to most: 9 – 12 add half what 17 – 23 do', () => {
    // Before: only the +1.23 of 17 – 23 for "9 – 23" (×3.4), where 9 – 12 give +0.6 (×1.8).
    expect(deviationsFromIdeal(model, [1, 1], 'csv').map((d) => d.pointsAcross)).toEqual([
      { least: expect.closeTo(0.6, 12), most: expect.closeTo(1.23, 12) },
      { least: expect.closeTo(0.6, 12), most: expect.closeTo(1.23, 12) },
    ]);
    expect(logit([9, 9]) - logit([1, 9])).toBeCloseTo(0.6, 12);
    expect(logit([23, 9]) - logit([1, 9])).toBeCloseTo(1.23, 12);
    // Offices past the range (+0.2), and not known (0): from what its least value adds to what its most does.
    expect(deviationsFromIdeal(model, [30, 30], 'csv')[0].pointsAcross).toEqual({ least: expect.closeTo(0.1, 12), most: expect.closeTo(0.73, 12) });
    expect(deviationsFromIdeal(model, [Number.NaN, Number.NaN], 'csv')[0].pointsAcross).toEqual({ least: 0.3, most: 0.93 });
  });
});

describe('whatWouldMakeHotter with the training leads per bin', () => {
  // Visits: a spike of 2 leads (+2.5) at "21 – 30" in a range that 42 leads hold; 603 leads with a value, so a range must
  // hold 30.15 (5 %). A lead with 2 visits: −2 − 0.5 = −2.5, cold; warm (20 %) needs +1.114: the spike (+3) gives it, "11 – 20" (+1.1) not.
  const visitsAxis = { labels: ['≤ 0', '1 – 5', '6 – 10', '11 – 20', '21 – 30', '> 30', 'missing'], edges: [0.5, 5.5, 10.5, 20.5, 30.5] };
  const visitsScores = [-1, -0.5, 0.5, 0.6, 2.5, 0.4, 0];
  const visitsRows = [300, 200, 60, 40, 2, 1, 100];
  // A page: "careers" (2 leads) scores most, "pricing" (300 leads) most of those enough leads saw.
  const pageAxis = { labels: ['blog', 'pricing', 'careers', 'missing'], edges: [] };
  const pageRows = [400, 300, 2, 0];
  const modelWith = (binRows: boolean) =>
    handMadeManifest({
      features: [
        { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true },
        { key: 'page', label: 'Last page seen', type: 'categorical', vocabulary: ['blog', 'pricing', 'careers'], derive: { kind: 'value', from: { csv: 'page' } }, actionable: true },
      ],
      terms: [
        { features: [0], label: 'Website visits', shape: { axes: [visitsAxis], scores: visitsScores } },
        { features: [1], label: 'Last page seen', shape: { axes: [pageAxis], scores: [0, 0.3, 1.5, 0] } },
      ],
      intercept: -2,
      referenceFeatures: binRows ? [{ ...summaryOf('visits', 100 / 703), binRows: visitsRows }, { ...summaryOf('page', 0), binRows: pageRows }] : [],
    });
  const supported = modelWith(true);
  const planFor = (model: Manifest, row: number[]) => whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
  const steps = (model: Manifest, row: number[]) => planFor(model, row).changes.map((change) => [change.label, change.from, change.to]);
  const idealsOf = (model: Manifest, row: number[]) => deviationsFromIdeal(model, row, 'csv').map((d) => [d.label, d.leadValue, d.idealValue]);

  it('moves a feature only to a bin enough leads hold, never to a bin a lead or two scored', () => {
    // "11 – 30" (42 leads) is the range of the best mean, but only its "11 – 20" gives what the table says: the spike is no ideal.
    expect(idealsOf(supported, [2, 0])).toEqual([
      ['Website visits', '2', '11 – 20'],
      ['Last page seen', 'blog', 'pricing'],
    ]);
    // To "11 – 20" (+1.1), not to the 2 leads' "21 – 30" (+3) though only that would reach warm: the range's 42 leads
    // ask 2.1 (5 %) of a bin. "pricing", not "careers".
    expect(steps(supported, [2, 0])).toEqual([
      ['Website visits', '2', '11 – 20'],
      ['Last page seen', 'blog', 'pricing'],
    ]);
    expect(planFor(supported, [2, 0]).changes[0].value).toBe(11);
    // An unknown count is none recorded: it too enters the range.
    expect(steps(supported, [Number.NaN, 0])[0]).toEqual(['Website visits', 'not known', '11 – 20']);
    // A model without bin counts knows no range enough leads hold: the plan takes any bin, as before (the smallest step that reaches warm).
    expect(steps(modelWith(false), [2, 0])).toEqual([['Last page seen', 'blog', 'careers']]);
  });

  it('asks nothing of a feature the lead has the ideal of already, though a bin of a lead or two in the range scores more', () => {
    // Warm (−1.1); hot needs +1.1. 15 visits are within "11 – 20" and pricing is the ideal page: the 2 leads' "21 – 30" (+1.9)
    // and "careers" (+1.2) are no plan.
    expect(idealsOf(supported, [15, 1])).toEqual([
      ['Website visits', '15', '11 – 20'],
      ['Last page seen', 'pricing', 'pricing'],
    ]);
    const plan = planFor(supported, [15, 1]);
    expect(plan.changes).toEqual([]);
    expect(steps(modelWith(false), [15, 1])).toEqual([['Last page seen', 'pricing', 'careers']]);
  });

  describe('a bin of the range other than its least, and a count past the range', () => {
    const visitsOnly = (scores: number[], rows: number[]) =>
      handMadeManifest({
        features: [{ key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true }],
        terms: [{ features: [0], label: 'Website visits', shape: { axes: [visitsAxis], scores: [...scores, 0] } }],
        intercept: -2,
        referenceFeatures: [{ ...summaryOf('visits', 100 / (rows.reduce((sum, n) => sum + n, 0) + 100)), binRows: [...rows, 100] }],
      });

    it('moves a count to any bin of the range that holds its share of the range\'s leads, when the range\'s least adds nothing', () => {
      // 630 leads with a value: a range must hold 31.5. "11 – 20" (+3) and above hold 10 each, too few alone, and score
      // ×1.1 apart: no run of values scoring alike holds 30 leads, so the ideal is "6 or more" (the range of the best mean)
      // whole, whose "6 – 10" (+0.02) shows no change. Each bin holds 10 of that range's 130, more than 6.5 (5 %). A lead
      // with 2 visits: −2, cold; warm needs +0.614, which "11 – 20" gives, the smallest step that does.
      const model = visitsOnly([-1, 0, 0.02, 3, 3.1, 3.2], [300, 200, 100, 10, 10, 10]);
      expect(idealsOf(model, [2])).toEqual([['Website visits', '2', '6 or more']]);
      const plan = planFor(model, [2]);
      expect(steps(model, [2])).toEqual([['Website visits', '2', '11 – 20']]);
      expect(plan.changes[0].value).toBe(11);
      expect(plan.reaches).toBe(true);
    });

    it('raises a count past its ideal to a higher bin that holds as many leads as a range must, never one fewer hold', () => {
      // 600 leads with a value: a range must hold 30. The ideal is "11 – 20" (+1.2); 25 visits are past it, so the comparison
      // leaves them out. −2 + 0.3 = −1.7, cold; "> 30" (+0.5, 100 leads) reaches warm (−1.2).
      const model = visitsOnly([-1, 0, 1.0, 1.2, 0.3, 0.8], [100, 100, 100, 100, 100, 100]);
      expect(idealsOf(model, [25])).toEqual([]);
      const plan = planFor(model, [25]);
      expect(steps(model, [25])).toEqual([['Website visits', '25', '> 30']]);
      expect(plan.reaches).toBe(true);
      // Held by 29 leads, fewer than the 30 a range must hold, "> 30" is no plan.
      expect(planFor(visitsOnly([-1, 0, 1.0, 1.2, 0.3, 0.8], [100, 100, 100, 100, 100, 29]), [25]).changes).toEqual([]);
    });
  });
});

describe('whatWouldMakeHotter against every set of changes', () => {
  // Six counts a rep's work raises, each with its own shape and three pairs, scored at random: whether some MAX_CHANGES moves
  // (each count to the least of a higher bin, as the plan moves it) reach the tier, tried in every order.
  const edges = [0.5, 2.5, 5.5, 10.5];
  const labels = ['0', '1 – 2', '3 – 5', '6 – 10', '≥ 11', 'missing'];
  const leastOfBin = [0, 1, 3, 6, 11];
  const counts = Array.from({ length: 6 }, (_, k) => ({ key: `c${k}`, label: `Count ${k}`, type: 'numeric', actionable: true, derive: { kind: 'value', from: { csv: `c${k}` } } }));
  const binOf = (value: number) => edges.filter((edge) => value > edge).length;

  it('reaches the tier whenever some three changes a rep would each see do, and never promises it otherwise', () => {
    let reachable = 0;
    let short = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const random = mulberry32(seed);
      const scoresOf = (cells: number) => Array.from({ length: cells }, () => Math.round((random() * 1.6 - 0.8) * 100) / 100);
      const model = handMadeManifest({
        features: counts,
        terms: [
          ...counts.map((count, k) => ({ features: [k], label: count.label, shape: { axes: [{ labels, edges }], scores: scoresOf(labels.length) } })),
          ...[[0, 1], [2, 3], [4, 5]].map(([a, b]) => ({ features: [a, b], label: `Count ${a} × Count ${b}`, shape: { axes: [{ labels, edges }, { labels, edges }], scores: scoresOf(labels.length ** 2) } })),
        ],
        intercept: -4,
      });
      const logitOf = (row: readonly number[]) => model.terms.reduce((sum, term) => sum + termContribution(term.shape!, term.features.map((f) => row[f])), model.intercept);
      for (let lead = 0; lead < 40; lead++) {
        const row = counts.map(() => Math.floor(random() * 8));
        const contributions = model.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f])));
        const plan = whatWouldMakeHotter(model, row, contributions, 'csv');
        if (!plan) continue;
        const aim = sigmoid(logitOf(row)) < model.tiers.warm ? model.tiers.warm : model.tiers.hot;
        // Every sequence of at most three counts, each raised to any higher bin, each change raising the odds visibly after
        // those before it (as the plan offers no change a rep would not see).
        const movesOf = (f: number) => leastOfBin.filter((value) => binOf(value) > binOf(row[f]));
        const reaches = (changed: readonly number[]): boolean =>
          sigmoid(logitOf(changed)) >= aim ||
          (changed.filter((value, f) => value !== row[f]).length < 3 &&
            counts.some(
              (_, f) =>
                changed[f] === row[f] &&
                movesOf(f).some((value) => {
                  const next = Object.assign([...changed], { [f]: value });
                  return logitOf(next) - logitOf(changed) >= MIN_CHANGE_POINTS && reaches(next);
                }),
            ));
        const bruteForce = reaches(row);
        expect(plan.reaches, `seed ${seed}, lead ${JSON.stringify(row)}: ${JSON.stringify(plan.changes.map((c) => [c.label, c.from, c.to]))}`).toBe(bruteForce);
        if (bruteForce) reachable++;
        else short++;
      }
    }
    // Both kinds of lead are met: those some set takes to the tier, and those none does.
    expect(reachable).toBeGreaterThan(20);
    expect(short).toBeGreaterThan(20);
  });

  it('finds changes a rep sees only in their order: one that pays only once another is made', () => {
    // Count 2 pays only with count 0 raised (their pair), count 1 only with count 2 raised: the order 0, 2, 1 has every
    // change visible, and takes −3.05 to −1.35, past warm (20 %, −1.386); count 3 (+0.52), the biggest first, leaves too little.
    const axis = { labels: ['0', '≥ 1', 'missing'], edges: [0.5] };
    const both = (points: number) => [0, 0, 0, 0, points, 0, 0, 0, 0];
    const model = handMadeManifest({
      features: counts.slice(0, 4),
      terms: [
        ...[0.5, 0, 0, 0.52].map((points, k) => ({ features: [k], label: `Count ${k}`, shape: { axes: [axis], scores: [0, points, 0] } })),
        ...[[0, 2], [1, 2]].map(([a, b]) => ({ features: [a, b], label: `Count ${a} × Count ${b}`, shape: { axes: [axis, axis], scores: both(0.6) } })),
      ],
      intercept: -3.05,
    });
    const row = [0, 0, 0, 0];
    const plan = whatWouldMakeHotter(model, row, model.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f]))), 'csv')!;
    expect(plan.changes.map((change) => [change.label, change.from, change.to])).toEqual([
      ['Count 0', '0', '≥ 1'],
      ['Count 2', '0', '≥ 1'],
      ['Count 1', '0', '≥ 1'],
    ]);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-1.35), 12);
    expect(plan.reaches).toBe(true);
  });
});

describe('whatWouldMakeHotter', () => {
  it('takes the biggest actionable move first, then the smallest that reaches warm, holding pair partners', () => {
    const row = [0, 1, 1]; // logit −2 −1 −0.5 −0.2 = −3.7: cold
    const plan = whatWouldMakeHotter(manifest, row, contributionsOf(row), 'csv')!;
    // Warm needs logit ≥ ln(0.2 / 0.8) ≈ −1.386: no single move gains 2.31. Visits → "> 5"
    // gains 2 (the biggest); then opens → "> 2" gains 0.5 + the pair's 0.4 = 0.9 and reaches it.
    expect(plan.targetTier).toBe('warm');
    expect(plan.changes).toEqual([
      { feature: 0, label: 'Website visits', from: '0', to: '> 5', value: 6, points: 2, calibratedPoints: expect.closeTo(2, 9), alsoChanges: [] },
      { feature: 2, label: 'E-mails opened', from: '1', to: '> 2', value: 3, points: expect.closeTo(0.9, 12), calibratedPoints: expect.closeTo(0.9, 9), alsoChanges: [] },
    ]);
    expect(plan.probabilityBefore).toBeCloseTo(sigmoid(-3.7), 12);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-0.8), 12);
    expect(plan.reaches).toBe(true);
  });

  it('never changes a feature whose field the page does not show: what the lead has there is not known, no "none" to raise', () => {
    // The page shows the industry and 1 e-mail opened, not the visits: visits → "> 5", the biggest move, is no plan for this lead.
    const row = [Number.NaN, 1, 1];
    const read = whatWouldMakeHotter(manifest, row, contributionsOf(row), 'csv', undefined, [true, true, true])!;
    expect(read.changes.map((change) => [change.label, change.from, change.to])).toEqual([
      ['Website visits', 'not known', '> 5'],
      ['E-mails opened', '1', '> 2'],
    ]);
    const fromThePage = whatWouldMakeHotter(manifest, row, contributionsOf(row), 'csv', undefined, [false, true, true])!;
    expect(fromThePage.changes.map((change) => [change.label, change.from, change.to])).toEqual([['E-mails opened', '1', '> 2']]);
    expect(fromThePage.reaches).toBe(false);
  });

  it("words a category a rep can change as the lead's CRM labels it on its pages", () => {
    // Industry made a rep's to change, with HubSpot labels; visits and opens not (the lead has their best bins anyway).
    const labelled: Manifest = {
      ...manifest,
      features: manifest.features.map((feature, f) =>
        f === 1 ? { ...feature, actionable: true, derive: { kind: 'value', from: { csv: 'industry', hubspot: 'industry' }, optionLabels: { hubspot: { Tech: 'Technology', Retail: 'Retail & Shops' } } } } : { ...feature, actionable: false },
      ),
    };
    const row = [6, 1, 3];
    const plan = whatWouldMakeHotter(labelled, row, contributionsOf(row, labelled), 'hubspot')!;
    expect(plan.changes).toEqual([expect.objectContaining({ feature: 1, from: 'Retail & Shops', to: 'Technology' })]);
  });

  it('gives each change the odds of the calibrated probabilities it shows, which multiply to the plan’s before → after', () => {
    // Platt a = 0.5: the probabilities a rep reads move half as far in log-odds as the model's.
    const calibrated: Manifest = { ...manifest, calibration: { kind: 'platt', a: 0.5, b: 0 }, tiers: { ...manifest.tiers, warm: sigmoid(0.5 * -1.386) } };
    const row = [0, 1, 1];
    const plan = whatWouldMakeHotter(calibrated, row, contributionsOf(row, calibrated), 'csv')!;
    expect(plan.changes.map((change) => change.calibratedPoints)).toEqual(plan.changes.map((change) => expect.closeTo(0.5 * change.points, 9)));
    const logOdds = (p: number) => Math.log(p / (1 - p));
    const total = plan.changes.reduce((sum, change) => sum + change.calibratedPoints, 0);
    expect(total).toBeCloseTo(logOdds(plan.probabilityAfter) - logOdds(plan.probabilityBefore), 9);
  });

  it('aims a warm lead at hot and never changes the industry', () => {
    const row = [9, 0, 0]; // −2 + 1 + 0.5 − 0.2 = −0.7: p ≈ 0.33, warm
    const plan = whatWouldMakeHotter(manifest, row, contributionsOf(row), 'csv')!;
    expect(plan.targetTier).toBe('hot');
    expect(plan.changes.map((c) => [c.label, c.to])).toEqual([['E-mails opened', '> 2']]);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(0.2), 12);
  });

  it('says when the best moves are not enough', () => {
    const lowIntercept = { ...manifest, intercept: -9 };
    const row = [0, 1, 1];
    const plan = whatWouldMakeHotter(lowIntercept, row, contributionsOf(row), 'csv')!;
    expect(plan.reaches).toBe(false);
    expect(plan.changes).toHaveLength(2); // only two actionable features exist
  });

  it('reads each pair on its own coarser axes, also for a lead whose feature is missing', () => {
    // As trained models have them: visits' own term has bins 0 | 1–5 | 6–9 | >9, the pair only ≤5 | >5.
    const visits = { labels: ['0', '1 – 5', '6 – 9', '> 9', 'missing'], edges: [0, 5, 9] };
    const coarse = { labels: ['≤ 5', '> 5', 'missing'], edges: [5] };
    const opens = manifest.terms[2].shape!.axes[0];
    const pair = Array(9).fill(0);
    pair[1 * 3 + 1] = 0.4; // > 5 visits and > 2 opens
    const model: Manifest = {
      ...manifest,
      terms: [
        { features: [0], label: 'Website visits', importance: 0, shape: { axes: [visits], scores: [-1, 0, 0.5, 1, -0.5] } },
        manifest.terms[1],
        manifest.terms[2],
        { features: [0, 2], label: 'Website visits × E-mails opened', importance: 0, shape: { axes: [coarse, opens], scores: pair } },
      ],
    };
    const row = [Number.NaN, 1, 9]; // −2 − 0.5 − 0.5 + 0.3 + 0 = −2.7: cold
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    // Visits → "6 – 9" gains 0.5 − (−0.5) + the pair's 0.4 = 1.4 and reaches warm (−1.3 ≥ −1.386);
    // "> 9" would gain 1.9: more than needed.
    expect(plan.changes).toEqual([{ feature: 0, label: 'Website visits', from: 'not known', to: '6 – 9', value: 6, points: expect.closeTo(1.4, 12), calibratedPoints: expect.closeTo(1.4, 9), alsoChanges: [] }]);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-1.3), 12);
    expect(plan.reaches).toBe(true);
  });

  it('moves engagement only the way a rep\'s work moves it: counts up (unknown = none), days since activity down', () => {
    const recency = { labels: ['≤ 7 days', '7 – 30 days', '> 30 days', 'missing'], edges: [7, 30] };
    const model: Manifest = {
      ...manifest,
      features: [
        ...manifest.features,
        { key: 'days_since_activity', label: 'Days since last activity', type: 'numeric', derive: { kind: 'daysSince', from: { csv: 'last_activity' } }, missingValues: [], actionable: true },
      ],
      terms: [
        manifest.terms[0],
        manifest.terms[1],
        // missing opens score worst, so "≤ 2 opens" would gain; an older activity would gain too
        { ...manifest.terms[2], shape: { ...manifest.terms[2].shape!, scores: [-0.2, 0.3, -1] } },
        manifest.terms[3],
        { features: [3], label: 'Days since last activity', importance: 0, shape: { axes: [recency], scores: [0.8, 0, 0.35, -0.3] } },
      ],
    };
    const row = [9, 0, Number.NaN, 20]; // −2 + 1 + 0.5 − 1 + 0 (pair: opens missing) + 0 = −1.5: cold
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    // Reaching warm needs 0.114. Smaller moves that would reach it are not a rep's to make:
    // activity "> 30 days" ago (+0.35) and "≤ 2" opens (+0.8); the smallest left is activity
    // "≤ 7 days" ago (+0.8, the same as opens "≤ 2" but reachable) before opens "> 2" (+1.3 + 0.4).
    expect(plan.changes).toEqual([{ feature: 3, label: 'Days since last activity', from: '20 days', to: 'today', value: 0, points: expect.closeTo(0.8, 12), calibratedPoints: expect.closeTo(0.8, 9), alsoChanges: [] }]);
  });

  describe('days since last activity, whose shape is not monotonic', () => {
    // A noise spike at "1 – 7 days" and a dip at "8 – 30 days": older activity can score higher than fresh.
    const recency = { labels: ['≤ 0 days', '1 – 7 days', '8 – 30 days', '> 30 days', 'missing'], edges: [0, 7, 30] };
    const model: Manifest = {
      ...manifest,
      intercept: -3.5,
      features: [
        ...manifest.features,
        { key: 'days_since_activity', label: 'Days since last activity', type: 'numeric', derive: { kind: 'daysSince', from: { csv: 'last_activity' } }, missingValues: [], actionable: true },
      ],
      terms: [...manifest.terms, { features: [3], label: 'Days since last activity', importance: 0, shape: { axes: [recency], scores: [0.2, 0.9, 0, -0.5, -0.6] } }],
    };
    // Visits and opens at their best already: −3.5 + 1 + 0.5 + 0.3 + 0.4 = −1.3 before recency.
    const planFor = (daysSinceActivity: number) => {
      const row = [9, 0, 9, daysSinceActivity];
      return whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    };

    it('moves it only to today, the one value an activity gives it, not to a bin that scores higher or is just enough', () => {
      // −1.8: cold; warm needs 0.414 more. "8 – 30 days" (+0.5) would be just enough and "1 – 7 days" (+1.4) the most.
      const plan = planFor(45);
      expect(plan.changes).toEqual([{ feature: 3, label: 'Days since last activity', from: '45 days', to: 'today', value: 0, points: expect.closeTo(0.7, 12), calibratedPoints: expect.closeTo(0.7, 9), alsoChanges: [] }]);
      expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-1.1), 12);
      expect(plan.reaches).toBe(true);
    });

    it('takes a lead with no activity recorded to today as well', () => {
      const plan = planFor(Number.NaN); // −1.9
      expect(plan.changes).toEqual([{ feature: 3, label: 'Days since last activity', from: 'not known', to: 'today', value: 0, points: expect.closeTo(0.8, 12), calibratedPoints: expect.closeTo(0.8, 9), alsoChanges: [] }]);
    });

    it('suggests nothing for it once the last activity is today, though "1 – 7 days" scores higher', () => {
      expect(planFor(0).changes).toEqual([]);
    });
  });

  it('never aims a category at the pooled "(other)" level, which names no page a rep can send the lead to', () => {
    const page = { labels: ['pricing', 'blog', '(other)', 'missing'], edges: [] };
    const model: Manifest = {
      ...manifest,
      intercept: -5,
      features: [
        ...manifest.features,
        { key: 'last_page', label: 'Last page seen', type: 'categorical', vocabulary: ['pricing', 'blog', '(other)'], otherCode: 2, derive: { kind: 'urlCategory', from: { csv: 'last_page_url' } }, missingValues: [], actionable: true },
      ],
      terms: [...manifest.terms, { features: [3], label: 'Last page seen', importance: 0, shape: { axes: [page], scores: [0.3, -0.5, 1, -0.5] } }],
    };
    const row = [9, 0, 9, 1]; // −5 + 1 + 0.5 + 0.3 + 0.4 − 0.5 = −3.3: cold, and only the page can move
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    // "(other)" would gain the most (1.5), but only "pricing" (0.8) is a page.
    expect(plan.changes).toEqual([{ feature: 3, label: 'Last page seen', from: 'Blog or resource page', to: 'Pricing page', value: 0, points: expect.closeTo(0.8, 12), calibratedPoints: expect.closeTo(0.8, 9), alsoChanges: [] }]);
  });

  it('aims a cold lead at hot when warm starts where hot does, as no lead past that threshold is warm', () => {
    const model: Manifest = { ...manifest, tiers: { ...manifest.tiers, warm: 0.4, hot: 0.4 } };
    const row = [9, 0, 0]; // −0.7: p ≈ 0.33, cold
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row), 'csv')!;
    // Opens → "> 2" (+0.9) lands at p = sigmoid(0.2) ≈ 0.55.
    expect(plan).toMatchObject({ targetTier: 'hot', threshold: 0.4, reaches: true });
  });

  it('names the tier the changes land in when they reach past the one aimed at', () => {
    const model: Manifest = { ...manifest, intercept: -2.2, tiers: { ...manifest.tiers, warm: 0.3, hot: 0.4 } };
    const row = [9, 0, 0]; // −0.9: p ≈ 0.29, cold
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
    // The only move, opens → "> 2" (+0.9), takes it to p = 0.5: past warm, into hot.
    expect(plan.probabilityAfter).toBeCloseTo(0.5, 12);
    expect(plan).toMatchObject({ targetTier: 'hot', threshold: 0.4, reaches: true });
  });

  it('names the tier it aimed at when the changes fall short', () => {
    const model: Manifest = { ...manifest, intercept: -9, tiers: { ...manifest.tiers, warm: 0.4, hot: 0.4 } };
    const row = [0, 1, 1];
    expect(whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')).toMatchObject({ targetTier: 'hot', threshold: 0.4, reaches: false });
  });

  it('has nothing to suggest for a hot lead', () => {
    const row = [9, 0, 9]; // −2 + 1 + 0.5 + 0.3 + 0.4 = 0.2
    expect(whatWouldMakeHotter(manifest, row, contributionsOf(row), 'csv')).toBeNull();
  });

  it('starts from the tier the lead was scored in, which a probability recomputed from its contributions can miss at a threshold', () => {
    const warm = [9, 0, 0]; // −0.7: p ≈ 0.33, warm by its contributions
    const plan = whatWouldMakeHotter(manifest, warm, contributionsOf(warm), 'csv', 'cold')!;
    // Shown cold: the plan aims at warm, with the change that gets there, not "nothing would raise it".
    // That change (+0.9, to p ≈ 0.55) lands it in hot, and the plan says so.
    expect(plan.targetTier).toBe('hot');
    expect(plan.changes.map((c) => [c.label, c.to])).toEqual([['E-mails opened', '> 2']]);
    expect(plan.reaches).toBe(true);
    // Shown hot: nothing to suggest.
    expect(whatWouldMakeHotter(manifest, warm, contributionsOf(warm), 'csv', 'hot')).toBeNull();
  });

  it('knows when a model has no shape functions', () => {
    expect(modelHasShapes(manifest)).toBe(true);
    expect(modelHasShapes({ ...manifest, terms: manifest.terms.map(({ shape: _shape, ...term }) => term) })).toBe(false);
  });
});

describe('for a source that has no field for some features', () => {
  // Salesforce gives the industry and e-mail opens, but not website visits.
  const model: Manifest = {
    ...manifest,
    features: [
      manifest.features[0],
      { ...manifest.features[1], derive: { kind: 'value', from: { csv: 'industry', salesforce: 'Industry' } } },
      { ...manifest.features[2], derive: { kind: 'value', from: { csv: 'opens', salesforce: 'Opens__c' } } },
    ],
  };
  const row = [Number.NaN, 1, 1]; // visits always missing from Salesforce: −2 − 0.5 − 0.5 − 0.2 + 0 = −3.2

  it('compares only the features the source gives with the ideal customer', () => {
    expect(deviationsFromIdeal(model, row, 'salesforce').map((d) => d.label)).toEqual(['Industry', 'E-mails opened']);
    expect(deviationsFromIdeal(model, row, 'csv').map((d) => d.label)).toEqual(['Website visits', 'Industry', 'E-mails opened']);
  });

  it('suggests changing only the features the source gives', () => {
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'salesforce')!;
    expect(plan.changes.map((c) => c.label)).toEqual(['E-mails opened']);
    expect(plan.reaches).toBe(false);
    expect(whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!.changes[0].label).toBe('Website visits');
  });
});

describe('a rate computed from two counts (clicks per open)', () => {
  // Opens and clicks are fields a rep's work raises; the click rate is computed from them, and
  // scores best above 0.5, so setting it alone would look like the best move.
  const model = opensAndClicksModel({ opens: [-0.5, 0, 0.3, 0.6, -0.2], clickRate: [-0.4, 0.2, 1.5, 0] });
  const { rowOf, planFor } = csvPlanning(model);
  const probabilityOf = (record: RawRecord) => sigmoid(contributionsOf(rowOf(record), model).reduce((sum, points) => sum + points, model.intercept));
  /** The record with the plan's counts made real: what the model then scores. */
  const recordAfter = (record: RawRecord, changes: { feature: number; value: number }[]) =>
    Object.fromEntries([...Object.entries(record), ...changes.map((change) => [model.features[change.feature].key, change.value])]);

  it('never sets the rate and never puts clicks above opens: the rate follows the counts, and the plan says so', () => {
    // 2 opens, 0 clicks: −2 − 0.3 − 0.4 = −2.7; warm (20 %) from −1.386. "≥ 3" clicks would score most, but a lead with 2
    // opens cannot click 3 times. 1 click adds 0.7 and takes the rate to 0.5 (+0.6), the largest move, but leaves the lead at
    // −1.4, short of warm, and more opens after it would lower the rate as much as they add. 10 opens first (+0.6, the rate
    // still 0) let 3 clicks add 1.2 and take the rate to 0.3 (+0.6): warm. Before, the plan took the click and fell short.
    const plan = planFor({ opens: 2, clicks: 0 })!;
    expect(plan.changes).toEqual([
      { feature: 0, label: 'E-mails opened', from: '2', to: '10', value: 10, points: expect.closeTo(0.6, 12), calibratedPoints: expect.closeTo(0.6, 9), alsoChanges: [] },
      {
        feature: 1,
        label: 'E-mails clicked',
        from: '0',
        to: '3',
        value: 3,
        points: expect.closeTo(1.8, 12),
        calibratedPoints: expect.closeTo(1.8, 9),
        alsoChanges: [{ feature: 2, label: 'E-mail click rate', from: '0 clicks per open', to: '0.3 clicks per open' }],
      },
    ]);
    expect(plan.reaches).toBe(true);
    expect(plan.probabilityAfter).toBeCloseTo(probabilityOf({ opens: 10, clicks: 3 }), 12);
  });

  it('promises the probability the model gives the changed record, for every count of opens and clicks', () => {
    const counts = [null, 0, 1, 2, 3, 4, 5, 7, 9, 10, 12];
    let plans = 0;
    for (const opens of counts) {
      for (const clicks of counts) {
        if (clicks !== null && opens !== null && clicks > opens) continue;
        const record = { opens, clicks };
        const plan = planFor(record);
        if (!plan || plan.changes.length === 0) continue;
        plans++;
        expect(plan.changes.map((change) => change.feature)).not.toContain(2);
        const changed = recordAfter(record, plan.changes);
        expect(plan.probabilityAfter).toBeCloseTo(probabilityOf(changed), 12);
        expect(Number(changed.clicks ?? 0)).toBeLessThanOrEqual(Number(changed.opens ?? 0));
      }
    }
    expect(plans).toBeGreaterThan(40);
  });

  it('gives opens with clicks to a lead with neither, when the data has them missing together: a click is on an opened e-mail', () => {
    // The same share missing: opens and clicks are known together. Clicks alone (+0.4 clicks, +1.5 for a rate of 1) come with the least opens that allow them.
    const together: Manifest = {
      ...model,
      reference: { ...model.reference, features: [summaryOf('opens', 0.6), summaryOf('clicks', 0.6, ['opens']), summaryOf('click_rate', 0.7)] },
    };
    const row = rowOf({ opens: null, clicks: null }); // −2 − 0.2: cold
    const plan = whatWouldMakeHotter(together, row, contributionsOf(row, together), 'csv')!;
    expect(plan.changes.map((change) => [change.label, change.from, change.to, change.alsoChanges])).toEqual([
      [
        'E-mails clicked',
        'not known',
        '1',
        [
          { feature: 0, label: 'E-mails opened', from: 'not known', to: '1' },
          { feature: 2, label: 'E-mail click rate', from: 'not known', to: '1 clicks per open' },
        ],
      ],
    ]);
    expect(plan.probabilityAfter).toBeCloseTo(probabilityOf({ opens: 1, clicks: 1 }), 12);
  });

  it('raises clicks of a lead with no opens recorded only once its opens are raised', () => {
    const plan = planFor({ opens: null, clicks: null })!;
    expect(plan.changes.map((change) => [change.label, change.from, change.to])).toEqual([
      ['E-mails opened', 'not known', '10'],
      ['E-mails clicked', 'not known', '3'],
    ]);
    expect(plan.changes[1].alsoChanges).toEqual([{ feature: 2, label: 'E-mail click rate', from: 'not known', to: '0.3 clicks per open' }]);
  });
});

describe('a click rate above its ideal, which only clicking none of the e-mails opened lowers', () => {
  // The rate scores best at 0.25 – 0.5 clicks per open, worst above. More opens with no more clicks lower it: the model
  // rewards that, but a rep works for clicks, and a promise that holds only if the lead clicks none of them is no plan.
  const model = opensAndClicksModel({ opens: [-0.5, 0, 0.3, 0.9, -0.2], clickRate: [0.3, 0.6, -0.3, 0] });
  const { rowOf, planFor } = csvPlanning(model);
  const compared = (record: RawRecord) => deviationsFromIdeal(model, rowOf(record), 'csv').map((d) => [d.label, d.leadValue, d.idealValue]);

  it('is not lowered by more opens: 2 of 2 clicked asks for no more opens, which would make the lead warm only if it clicked none', () => {
    // −2 + 0 + 0.4 − 0.3 = −1.9, cold. 5 opens with the 2 clicks: +0.3, and 0.4 clicks per open +0.9: warm (−0.7). Before, the plan
    // was "E-mails opened: 2 → 5, which takes E-mail click rate from 1 to 0.4"; no click can come first (never more clicks than opens).
    expect(planFor({ opens: 2, clicks: 2 })!.changes).toEqual([]);
  });

  it('is left out of the comparison, as a count past its ideal is; one below its ideal is compared', () => {
    // Before: "E-mail click rate | 1 clicks per open | 0.25 – 0.5", which more clicks only take further from.
    expect(compared({ opens: 2, clicks: 2 }).map(([label]) => label)).toEqual(['E-mails opened', 'E-mails clicked']);
    // The hand-made labels write 0.25, which is in the bin below, as the bin's lower end: read from the edges instead.
    expect(compared({ opens: 10, clicks: 1 })).toContainEqual(['E-mail click rate', '0.1 clicks per open', '0.26 – 0.5 clicks per open']);
  });

  it('is lowered by more opens from within its ideal, where more clicks would not take it back', () => {
    // 5 opens, 2 clicks: 0.4 clicks per open, within the ideal, −0.7 (warm). 10 opens take it to 0.2 (−0.3 for +0.6), 3 clicks then back to 0.3: hot.
    const plan = planFor({ opens: 5, clicks: 2 })!;
    expect(plan.changes.map((change) => [change.label, change.from, change.to, change.alsoChanges.map((f) => `${f.label}: ${f.from} → ${f.to}`)])).toEqual([
      ['E-mails opened', '5', '10', ['E-mail click rate: 0.4 clicks per open → 0.2 clicks per open']],
      ['E-mails clicked', '2', '3', ['E-mail click rate: 0.2 clicks per open → 0.3 clicks per open']],
    ]);
    expect(plan.reaches).toBe(true);
  });
});

describe('the comparison with the ideal customer, on the record a CRM holds with the change', () => {
  // Opens score most at "≥ 10" (+0.9 over 1 – 4), clicks at "≥ 3"; the click rate best at 0.25 – 0.5, worst above.
  const model = opensAndClicksModel({ opens: [-0.5, 0, 0.3, 0.9, -0.2], clickRate: [0.3, 0.6, -0.3, 0] });
  const { rowOf } = csvPlanning(model);
  const logitOf = (record: RawRecord) => contributionsOf(rowOf(record), model).reduce((sum, points) => sum + points, model.intercept);
  const deviation = (record: RawRecord, feature: number) => deviationsFromIdeal(model, rowOf(record), 'csv').find((d) => d.feature === feature);

  it('gives e-mails opened the odds of the record with the opens changed, the click rate recomputed from them', () => {
    // 2 opens, 1 click: 0.5 clicks per open. 10 opens add 0.9 but take the rate to 0.1 (−0.3): +0.6, what the record gives.
    // Before: +0.9, the odds with the rate kept at 0.5, which no lead with 10 opens and 1 click has.
    expect(deviation({ opens: 2, clicks: 1 }, 0)).toMatchObject({ leadValue: '2', idealValue: '≥ 10', pointsLost: expect.closeTo(0.6, 12) });
    expect(logitOf({ opens: 10, clicks: 1 }) - logitOf({ opens: 2, clicks: 1 })).toBeCloseTo(0.6, 12);
  });

  it('never names more clicks than e-mails opened: a lead with 1 opened is compared on 1 click, its rate recomputed', () => {
    // Before: "E-mails clicked | 0 | ≥ 3 | +1.2" (3 clicks of 1 e-mail opened, the rate kept at 0). 1 click adds 0.7 and takes
    // the rate from 0 to 1 (−0.6): +0.1.
    expect(deviation({ opens: 1, clicks: 0 }, 1)).toMatchObject({ leadValue: '0', idealValue: '1 – 2', pointsLost: expect.closeTo(0.1, 12) });
    expect(logitOf({ opens: 1, clicks: 1 }) - logitOf({ opens: 1, clicks: 0 })).toBeCloseTo(0.1, 12);
    // No e-mail opened: no click a record could hold, nothing to compare.
    expect(deviation({ opens: 0, clicks: 0 }, 1)).toBeUndefined();
  });
});

describe('a count the training data never had above another (visits ≤ page views)', () => {
  // Visits score most above 5; a lead with 2 visits and 4 page views cannot have 6 visits
  // without more page views.
  const features = [
    { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true },
    { key: 'page_views', label: 'Page views', type: 'numeric', derive: { kind: 'value', from: { csv: 'page_views' } }, actionable: true },
  ];
  const terms = [
    { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['≤ 0', '1 – 5', '> 5', 'missing'], edges: [0.5, 5.5] }], scores: [-1, 0, 1.5, 0] } },
    { features: [1], label: 'Page views', shape: { axes: [{ labels: ['≤ 4', '5 – 9', '≥ 10', 'missing'], edges: [4.5, 9.5] }], scores: [-0.2, 0.1, 0.3, 0] } },
  ];
  const industry = { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech'], derive: { kind: 'value', from: { csv: 'industry' } } };
  const bounded = handMadeManifest({ features, terms, intercept: -2, referenceFeatures: [summaryOf('visits', 0, ['page_views']), summaryOf('page_views', 0)] });
  const unbounded = handMadeManifest({ features, terms, intercept: -2 });
  const planOf = (model: Manifest, row: number[]) => whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!;
  const steps = (plan: ReturnType<typeof planOf>) => plan.changes.map((change) => [change.label, change.from, change.to]);

  it('raises the page views before the visits pass them', () => {
    // −2 + 0 − 0.2 = −2.2, cold. Visits "> 5" alone would reach warm (−0.7), with 6 visits over 4 page views.
    expect(steps(planOf(unbounded, [2, 4]))).toEqual([['Website visits', '2', '> 5']]);
    const plan = planOf(bounded, [2, 4]);
    expect(steps(plan)).toEqual([
      ['Page views', '4', '≥ 10'],
      ['Website visits', '2', '> 5'],
    ]);
    expect(plan.reaches).toBe(true);
    const [views, visits] = plan.changes.map((change) => change.value);
    expect(visits).toBeLessThanOrEqual(views);
  });

  it('raises the visits at once when the page views already allow it', () => {
    expect(steps(planOf(bounded, [2, 8]))).toEqual([['Website visits', '2', '> 5']]);
  });

  it('takes unknown page views as none recorded: they are raised before the visits pass them', () => {
    const plan = planOf(bounded, [2, Number.NaN]);
    expect(steps(plan)).toEqual([
      ['Page views', 'not known', '≥ 10'],
      ['Website visits', '2', '> 5'],
    ]);
    const [views, visits] = plan.changes.map((change) => change.value);
    expect(visits).toBeLessThanOrEqual(views);
  });

  it('neither raises page views the page does not show nor the visits past them: not shown is not known to be none', () => {
    const row = [2, Number.NaN];
    const fromThePage = whatWouldMakeHotter(bounded, row, contributionsOf(row, bounded), 'csv', undefined, [true, false])!;
    expect(steps(fromThePage)).toEqual([]);
    expect(fromThePage.probabilityAfter).toBe(fromThePage.probabilityBefore);
  });

  it('refuses a manifest whose bound names no feature, itself, a feature that is no number, or a count twice', () => {
    const withBound = (key: string, atMost: string[]) => () => handMadeManifest({ features: [...features, industry], terms, intercept: -2, referenceFeatures: [summaryOf(key, 0, atMost)] });
    expect(withBound('visits', ['pageviews'])).toThrow(/pageviews.{0,4}, which is no feature/);
    expect(withBound('visits', ['visits'])).toThrow(/visits.{0,4}, which is not another numeric feature/);
    expect(withBound('visits', ['industry'])).toThrow(/industry.{0,4}, which is not another numeric feature/);
    expect(withBound('industry', ['visits'])).toThrow(/industry.{0,4}, which is no numeric feature/);
    expect(withBound('visits', ['page_views', 'page_views'])).toThrow(/visits.{0,4} by a count named twice/);
    expect(withBound('visits', ['page_views'])).not.toThrow();
  });
});

describe('a change too small to see', () => {
  // One count a rep's work raises; no calibration: p = sigmoid(logit), warm from 0.2 (logit ln 0.25).
  const visitsModel = (scores: number[], intercept: number) =>
    handMadeManifest({
      features: [{ key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'visits' } }, actionable: true }],
      terms: [{ features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] }], scores: [...scores, 0] } }],
      intercept,
    });
  const planOf = (model: Manifest) => whatWouldMakeHotter(model, [0], contributionsOf([0], model), 'csv', 'cold')!;

  it('is not offered: with no other change the plan has none, and its probability stays as it is', () => {
    // The best move adds just under odds ×1.05, which would read "odds ×1".
    const plan = planOf(visitsModel([0, 4.5e-10, MIN_CHANGE_POINTS - 0.001], -3));
    expect(plan).toEqual({ targetTier: 'warm', threshold: 0.2, changes: [], probabilityBefore: sigmoid(-3), probabilityAfter: sigmoid(-3), reaches: false });
  });

  it('is offered from odds ×1.05 on, which the plan shows as more than ×1', () => {
    const plan = planOf(visitsModel([0, 4.5e-10, MIN_CHANGE_POINTS + 0.001], -3));
    expect(plan.changes.map((change) => [change.to, oddsFactor(change.calibratedPoints)])).toEqual([['> 5', '1.1']]);
  });

  it('is not taken though it would just reach the next tier: the smallest visible change that does is', () => {
    // 1e-10 below warm: 1 – 5 visits (+1e-9) would tip it over, unseen; more than 5 (+0.3) is the change a rep would see.
    const plan = planOf(visitsModel([0, 1e-9, 0.3], Math.log(0.25) - 1e-10));
    expect(plan.changes.map((change) => change.to)).toEqual(['> 5']);
    expect(plan.reaches).toBe(true);
  });

  it('is none that a flat step of isotonic calibration swallows, however much the model adds', () => {
    // The model adds 1 (−1.8 → −0.8), but the calibration gives 10 % anywhere from −2 to 0.
    const model: Manifest = { ...visitsModel([0, 1, 1], -1.8), calibration: { kind: 'isotonic', logits: [-4, -2, 0, 2], probabilities: [0.02, 0.1, 0.1, 0.6] } };
    expect(planOf(model)).toMatchObject({ changes: [], probabilityBefore: 0.1, probabilityAfter: 0.1, reaches: false });
  });
});

describe('fields the data has missing together (a lead\'s web analytics, all known or none)', () => {
  // Visits, page views, form submissions and the last page seen, missing in the same share of
  // training rows, visits never above page views. Each scores worst when missing but forms.
  const model = handMadeManifest({
    features: [
      { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { csv: 'web_visits' } }, actionable: true },
      { key: 'page_views', label: 'Page views', type: 'numeric', derive: { kind: 'value', from: { csv: 'page_views' } }, actionable: true },
      { key: 'forms', label: 'Form submissions', type: 'numeric', derive: { kind: 'value', from: { csv: 'conversion_events' } }, actionable: true },
      {
        key: 'last_page',
        label: 'Last page seen',
        type: 'categorical',
        vocabulary: ['blog', 'demo', '(other)'],
        otherCode: 2,
        derive: { kind: 'urlCategory', from: { csv: 'last_page_url' } },
        actionable: true,
      },
    ],
    terms: [
      { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['≤ 1', '2 – 5', '≥ 6', 'missing'], edges: [1.5, 5.5] }], scores: [0.2, 0.4, 0.8, -0.3] } },
      { features: [1], label: 'Page views', shape: { axes: [{ labels: ['≤ 1', '2 – 9', '≥ 10', 'missing'], edges: [1.5, 9.5] }], scores: [0.1, 0.3, 3, -0.2] } },
      { features: [2], label: 'Form submissions', shape: { axes: [{ labels: ['≤ 0', '1', '≥ 2', 'missing'], edges: [0.5, 1.5] }], scores: [-0.4, 0.5, 1, 0] } },
      { features: [3], label: 'Last page seen', shape: { axes: [{ labels: ['blog', 'demo', '(other)', 'missing'], edges: [] }], scores: [0.1, 0.9, 0, -0.5] } },
    ],
    intercept: -2,
    referenceFeatures: [summaryOf('visits', 0.6, ['page_views']), summaryOf('page_views', 0.6), summaryOf('forms', 0.6), summaryOf('last_page', 0.6)],
  });
  const now = new Date('2026-11-01T00:00:00Z');
  const nothingKnown = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  const planFor = (intercept: number) => {
    const withIntercept = { ...model, intercept };
    return whatWouldMakeHotter(withIntercept, nothingKnown, contributionsOf(nothingKnown, withIntercept), 'csv')!;
  };
  const probabilityOf = (record: RawRecord, intercept: number) =>
    sigmoid(contributionsOf(Array.from(featurizeRecord(record, model.features, 'csv', now)), model).reduce((sum, points) => sum + points, intercept));
  const pageSeen = {
    feature: 3,
    label: 'Last page seen',
    from: 'not known',
    to: 'Demo or sign-up page',
    value: 1,
    alsoChanges: [
      { feature: 0, label: 'Website visits', from: 'not known', to: '1' },
      { feature: 1, label: 'Page views', from: 'not known', to: '1' },
      { feature: 2, label: 'Form submissions', from: 'not known', to: '0' },
    ],
  };

  it('brings the lead to a page with the least counts recorded along, promising that whole record, never page views with no page seen', () => {
    // −2 − 0.3 − 0.2 − 0.5 = −3: cold. Page views "≥ 10" alone (+3.2) would be a lead no CRM holds:
    // page views but no page seen. The demo page (+1.4) with 1 visit (+0.5), 1 page view (+0.3)
    // and no form (−0.4) reaches warm: −1.2.
    const plan = planFor(-2);
    expect(plan.changes).toEqual([{ ...pageSeen, points: expect.closeTo(1.8, 12), calibratedPoints: expect.closeTo(1.8, 9) }]);
    expect(plan.probabilityAfter).toBeCloseTo(
      probabilityOf({ last_page_url: 'https://www.example.com/demo', web_visits: 1, page_views: 1, conversion_events: 0 }, -2),
      12,
    );
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-1.2), 12);
    expect(plan.reaches).toBe(true);
  });

  it('records along no count the page does not show: page views it does not show are not known to be none, nor made 1', () => {
    // The page shows the visits, forms and last page seen (all empty), not the page views: the page-seen plan above would
    // promise "Page views: missing → 1" of a lead that may have had many.
    const withIntercept = { ...model, intercept: -2 };
    const plan = whatWouldMakeHotter(withIntercept, nothingKnown, contributionsOf(nothingKnown, withIntercept), 'csv', undefined, [true, false, true, true])!;
    expect(plan.changes.flatMap((change) => [change.feature, ...change.alsoChanges.map((follower) => follower.feature)])).not.toContain(1);
    expect(plan.changes).toEqual([]);
  });

  it('raises a count recorded along from its least value afterwards', () => {
    // −4 → −2.2 with the page; then a form (0 → 1: +0.9) is the smallest step to warm.
    const plan = planFor(-3);
    expect(plan.changes.map((change) => [change.label, change.from, change.to, change.alsoChanges])).toEqual([
      [pageSeen.label, pageSeen.from, pageSeen.to, pageSeen.alsoChanges],
      ['Form submissions', '0', '1', []],
    ]);
    expect(plan.probabilityAfter).toBeCloseTo(
      probabilityOf({ last_page_url: 'https://www.example.com/demo', web_visits: 1, page_views: 1, conversion_events: 1 }, -3),
      12,
    );
  });

  it('counts another page seen as one more page view, and promises the score with it, also when that view lowers it', () => {
    // Page views "≥ 10" score −0.2 here, below "2 – 9" (+0.3). A lead with 6 visits, 9 page views, 2 forms and the blog
    // last: −2.6 + 0.8 + 0.3 + 1 + 0.1 = −0.4, warm. The demo page (+0.8) would make it hot, but seeing it is the 10th
    // page view (−0.5): −0.1, still warm.
    const dropping: Manifest = { ...model, intercept: -2.6, terms: model.terms.map((term, t) => (t === 1 ? { ...term, shape: { ...term.shape!, scores: [0.1, 0.3, -0.2, -0.2] } } : term)) };
    const row = [6, 9, 2, 0];
    const plan = whatWouldMakeHotter(dropping, row, contributionsOf(row, dropping), 'csv')!;
    expect(plan.changes.map((change) => [change.label, change.from, change.to, change.alsoChanges])).toEqual([
      ['Last page seen', 'Blog or resource page', 'Demo or sign-up page', [{ feature: 1, label: 'Page views', from: '9', to: '10' }]],
    ]);
    expect(plan.changes[0].points).toBeCloseTo(0.3, 12);
    const seen = featurizeRecord({ last_page_url: 'https://www.example.com/demo', web_visits: 6, page_views: 10, conversion_events: 2 }, dropping.features, 'csv', now);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(contributionsOf(Array.from(seen), dropping).reduce((sum, points) => sum + points, dropping.intercept)), 12);
    expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-0.1), 12);
    expect(plan).toMatchObject({ targetTier: 'hot', reaches: false });
  });

  it('compares a lead with none of them on the page seen, with the counts recorded along, never page views with no page seen', () => {
    // Before: "Page views | not known | ≥ 10 | +3.2", "Website visits … ≥ 6 | +1.1", "Form submissions … ≥ 2 | +1", each scored
    // with the others still missing, a record no CRM holds; beside a plan that brings the lead to a page first. The demo page
    // with 1 visit, 1 page view and no form: +1.4 + 0.5 + 0.3 − 0.4 = +1.8, as the plan promises it.
    const withIntercept = { ...model, intercept: -2 };
    expect(deviationsFromIdeal(withIntercept, nothingKnown, 'csv').map((d) => [d.label, d.leadValue, d.idealValue, d.pointsLost])).toEqual([
      ['Last page seen', 'not known', 'Demo or sign-up page', expect.closeTo(1.8, 12)],
    ]);
    expect(planFor(-2).changes[0].calibratedPoints).toBeCloseTo(1.8, 9);
  });

  it('names no more visits than the page views: 2 visits of 4 page views are the most a record of them holds', () => {
    // 2 visits, 4 page views, the blog last: "≥ 6" visits would need more page views. Before: "Website visits | 2 | ≥ 6 | +0.4".
    expect(deviationsFromIdeal(model, [2, 4, 0, 0], 'csv').find((d) => d.feature === 0)).toMatchObject({ idealValue: '2 – 5', pointsLost: 0 });
    expect(deviationsFromIdeal(model, [2, 12, 0, 0], 'csv').find((d) => d.feature === 0)).toMatchObject({ idealValue: '≥ 6', pointsLost: expect.closeTo(0.4, 12) });
  });
});

describe('a lead no marketing e-mail reaches', () => {
  // Website visits and e-mails opened, both raised by a rep's work; the lead's e-mail opt-out and
  // its address's kind, which the model does not score. No calibration: warm from 0.2 (logit −1.39).
  // A file's columns here have names that say nothing of e-mail: HubSpot's fields tell what they are.
  const model = handMadeManifest({
    features: [
      { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'hs_analytics_num_visits', csv: 'visits' } }, actionable: true },
      { key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'hs_email_open', csv: 'opens' } }, actionable: true },
      { key: 'opted_out', label: 'Opted out of e-mail', type: 'boolean', derive: { kind: 'value', from: { salesforce: 'HasOptedOutOfEmail', hubspot: 'hs_email_optout', csv: 'unsubscribed' } } },
      { key: 'email_domain', label: 'E-mail domain', type: 'categorical', vocabulary: ['corporate', 'free', '(other)'], otherCode: 2, derive: { kind: 'emailDomainKind', from: { hubspot: 'email' } } },
    ],
    terms: [
      { features: [0], label: 'Website visits', shape: { axes: [{ labels: ['0', '1 – 5', '> 5', 'missing'], edges: [0, 5] }], scores: [-1, 0, 1.2, 0] } },
      { features: [1], label: 'Marketing e-mails opened', shape: { axes: [{ labels: ['≤ 2', '> 2', 'missing'], edges: [2] }], scores: [-0.2, 1.8, 0] } },
    ],
    intercept: -2,
  });
  const now = new Date('2026-11-01T00:00:00Z');
  const planFor = (record: RawRecord, source: 'hubspot' | 'csv') => {
    const row = Array.from(featurizeRecord(record, model.features, source, now));
    return whatWouldMakeHotter(model, row, contributionsOf(row, model), source)!;
  };
  const changesOf = (plan: { changes: { label: string; from: string; to: string }[] }) => plan.changes.map((change) => [change.label, change.from, change.to]);
  const reachable = { hs_analytics_num_visits: '0', hs_email_open: '0', hs_email_optout: 'false', email: 'ann@acme.io' };

  it('is asked for no e-mail opens: it opted out, or it has no address; the next best change is asked instead', () => {
    // −2 − 1 − 0.2 = −3.2, cold. Opens "> 2" (+2.0) and visits "> 5" (+2.2) both reach warm; the smaller step, the opens, is
    // the plan for a lead e-mail reaches. One that opted out or has no address gets the visits: −1.0, 26.9 %.
    expect(changesOf(planFor(reachable, 'hubspot'))).toEqual([['Marketing e-mails opened', '0', '> 2']]);
    for (const record of [{ ...reachable, hs_email_optout: 'true' }, { ...reachable, email: '' }, { ...reachable, email: 'not an address' }]) {
      const plan = planFor(record, 'hubspot');
      expect(changesOf(plan)).toEqual([['Website visits', '0', '> 5']]);
      expect(plan.probabilityAfter).toBeCloseTo(sigmoid(-1), 12);
      expect(plan.reaches).toBe(true);
    }
  });

  it('is no lead whose page does not show its address: an address not known is not none, and e-mail opens are asked', () => {
    const { email: _address, ...withoutAddress } = reachable;
    const row = Array.from(featurizeRecord(withoutAddress, model.features, 'hubspot', now));
    const fromThePage = [true, true, true, false];
    const plan = whatWouldMakeHotter(model, row, contributionsOf(row, model), 'hubspot', undefined, fromThePage)!;
    expect(changesOf(plan)).toEqual([['Marketing e-mails opened', '0', '> 2']]);
    expect(deviationsFromIdeal(model, row, 'hubspot', undefined, fromThePage).map((d) => d.label)).toEqual(['Website visits', 'Marketing e-mails opened']);
    // Read and empty, it has none: no opens asked.
    expect(changesOf(whatWouldMakeHotter(model, row, contributionsOf(row, model), 'hubspot', undefined, [true, true, true, true])!)).toEqual([['Website visits', '0', '> 5']]);
  });

  it('is compared with the ideal customer on no e-mail engagement, and no lead on its opt-out, either way', () => {
    // The same model with the opt-out scored: its term alone would make "No" the ideal of an opted-out lead (+0.6).
    const optOutTerm = (scores: number[]) => ({ features: [2], label: 'Opted out of e-mail', importance: 0, shape: { axes: [{ labels: ['No', 'Yes', 'missing'], edges: [0.5] }], scores } });
    const scored = (scores: number[]) => ({ ...model, terms: [...model.terms, optOutTerm(scores)] });
    const comparedFor = (compared: Manifest, record: RawRecord) =>
      deviationsFromIdeal(compared, Array.from(featurizeRecord(record, compared.features, 'hubspot', now)), 'hubspot').map((d) => [d.label, d.leadValue, d.idealValue]);
    const optedOutBetter = scored([0.2, -0.4, 0]);
    expect(comparedFor(optedOutBetter, reachable)).toEqual([
      ['Website visits', '0', '> 5'],
      ['Marketing e-mails opened', '0', '> 2'],
    ]);
    // Opted out, or no address: no opens to ask for (the plan asks none), and no "Yes → No" a rep may not make.
    for (const record of [{ ...reachable, hs_email_optout: 'true' }, { ...reachable, email: '' }, { ...reachable, email: 'not an address' }]) {
      expect(comparedFor(optedOutBetter, record), JSON.stringify(record)).toEqual([['Website visits', '0', '> 5']]);
    }
    // Nor is a lead e-mail reaches asked to opt out, where the model happens to score that higher.
    expect(comparedFor(scored([-0.4, 0.2, 0]), reachable).map(([label]) => label)).toEqual(['Website visits', 'Marketing e-mails opened']);
  });

  it('is told by its opt-out whatever the source calls it, and only by what its source has', () => {
    // The file's "unsubscribed" is the opt-out HubSpot calls hs_email_optout, its "opens" HubSpot's hs_email_open.
    expect(changesOf(planFor({ visits: '0', opens: '0', unsubscribed: 'yes' }, 'csv'))).toEqual([['Website visits', '0', '> 5']]);
    // A file has no address column: its leads' addresses are unknown, not absent.
    expect(changesOf(planFor({ visits: '0', opens: '0', unsubscribed: 'no' }, 'csv'))).toEqual([['Marketing e-mails opened', '0', '> 2']]);
    // Nobody says it opted out: e-mail reaches it as far as anyone knows.
    expect(changesOf(planFor({ ...reachable, hs_email_optout: '' }, 'hubspot'))).toEqual([['Marketing e-mails opened', '0', '> 2']]);
  });
});

describe('a file’s opt-outs named the X Education way ("Do Not Email", "Do Not Call")', () => {
  // Only a file's names: nothing else says these are opt-outs. The model scores "No" higher on both (+0.5 each)
  // and e-mails opened; no calibration, warm from 0.2 (logit −1.39).
  const model = handMadeManifest({
    features: [
      { key: 'do_not_email', label: 'Do Not Email', type: 'boolean', derive: { kind: 'value', from: { csv: 'Do Not Email' } } },
      { key: 'do_not_call', label: 'Do Not Call', type: 'boolean', derive: { kind: 'value', from: { csv: 'Do Not Call' } } },
      { key: 'opens', label: 'Email Opens', type: 'numeric', derive: { kind: 'value', from: { csv: 'Email Opens' } }, actionable: true },
    ],
    terms: [
      { features: [0], label: 'Do Not Email', shape: { axes: [{ labels: ['No', 'Yes', 'missing'], edges: [0.5] }], scores: [0.5, -0.5, 0] } },
      { features: [1], label: 'Do Not Call', shape: { axes: [{ labels: ['No', 'Yes', 'missing'], edges: [0.5] }], scores: [0.5, -0.5, 0] } },
      { features: [2], label: 'Email Opens', shape: { axes: [{ labels: ['≤ 2', '> 2', 'missing'], edges: [2] }], scores: [-0.2, 1.8, 0] } },
    ],
    intercept: -2,
  });
  const now = new Date('2026-11-01T00:00:00Z');
  const rowOf = (record: RawRecord) => Array.from(featurizeRecord(record, model.features, 'csv', now));
  const optedOut = { 'Do Not Email': 'Yes', 'Do Not Call': 'Yes', 'Email Opens': '0' };

  it('compares a lead that opted out with the ideal customer on neither opt-out, nor on e-mails opened', () => {
    expect(deviationsFromIdeal(model, rowOf(optedOut), 'csv').map((d) => d.label)).toEqual([]);
    // A lead that takes e-mail and calls is compared on its opens only: no one is asked to opt in or out.
    expect(deviationsFromIdeal(model, rowOf({ ...optedOut, 'Do Not Email': 'No', 'Do Not Call': 'No' }), 'csv').map((d) => d.label)).toEqual(['Email Opens']);
  });

  it('asks no e-mail opens of a lead that said "Do Not Email"', () => {
    const row = rowOf(optedOut);
    expect(whatWouldMakeHotter(model, row, contributionsOf(row, model), 'csv')!.changes).toEqual([]);
    const reachable = rowOf({ ...optedOut, 'Do Not Email': 'No' });
    expect(whatWouldMakeHotter(model, reachable, contributionsOf(reachable, model), 'csv')!.changes.map((change) => change.label)).toEqual(['Email Opens']);
  });
});

describe("a category's levels another CRM's records hold", () => {
  // A lead source learned from Salesforce leads ("Web") and HubSpot contacts (ORGANIC_SEARCH, DIRECT_TRAFFIC), whose
  // labels HubSpot's pages show. No calibration; "Web" scores best.
  const leadSource = {
    key: 'lead_source',
    label: 'Lead source',
    type: 'categorical',
    vocabulary: ['Web', 'ORGANIC_SEARCH', 'DIRECT_TRAFFIC', '(other)'],
    otherCode: 3,
    derive: {
      kind: 'value',
      from: { salesforce: 'LeadSource', hubspot: 'hs_analytics_source', csv: 'lead_source' },
      optionLabels: { hubspot: { ORGANIC_SEARCH: 'Organic Search', DIRECT_TRAFFIC: 'Direct Traffic' } },
    },
  };
  const modelWith = ({ actionable = false, binRows }: { actionable?: boolean; binRows?: number[] }) =>
    handMadeManifest({
      features: [{ ...leadSource, actionable }],
      terms: [{ features: [0], label: 'Lead source', shape: { axes: [{ labels: ['Web', 'ORGANIC_SEARCH', 'DIRECT_TRAFFIC', '(other)', 'missing'], edges: [] }], scores: [1, 0.2, 0.5, 0, 0] } }],
      intercept: -2,
      referenceFeatures: binRows ? [{ ...summaryOf('lead_source', 0), binRows }] : [],
    });
  const [WEB, ORGANIC_SEARCH] = [0, 1];
  const idealOf = (model: Manifest, code: number, source: 'salesforce' | 'hubspot' | 'csv') => deviationsFromIdeal(model, [code], source)[0];

  it("gives a HubSpot contact the best level HubSpot holds as its ideal, never Salesforce's", () => {
    expect(idealOf(modelWith({}), ORGANIC_SEARCH, 'hubspot')).toEqual({ feature: 0, label: 'Lead source', actionable: false, leadValue: 'Organic Search', idealValue: 'Direct Traffic', pointsLost: expect.closeTo(0.3, 12) });
    // Nothing says which levels Salesforce or a file holds: every level may be theirs.
    expect(idealOf(modelWith({}), ORGANIC_SEARCH, 'salesforce')).toMatchObject({ idealValue: 'Web', pointsLost: 0.8 });
    expect(idealOf(modelWith({}), ORGANIC_SEARCH, 'csv')).toMatchObject({ idealValue: 'Web', pointsLost: 0.8 });
    // A contact that holds a level HubSpot does not label (its label is its value) holds it.
    expect(idealOf(modelWith({}), WEB, 'hubspot')).toMatchObject({ leadValue: 'Web', idealValue: 'Web', pointsLost: 0 });
  });

  it('weighs a level by the leads of levels the CRM holds: one in twenty of those is a kind of contact its rep meets', () => {
    // 40 of 1,340 training leads (3 %) came from direct traffic, too few for an ideal among all; but 40 of the 340 with
    // a HubSpot level (12 %) are enough for a HubSpot contact's.
    const model = modelWith({ binRows: [1000, 300, 40, 0, 0] });
    expect(idealOf(model, ORGANIC_SEARCH, 'hubspot')).toMatchObject({ idealValue: 'Direct Traffic', pointsLost: expect.closeTo(0.3, 12) });
    expect(idealOf(model, ORGANIC_SEARCH, 'salesforce')).toMatchObject({ idealValue: 'Web', pointsLost: 0.8 });
  });

  it('suggests only a level HubSpot holds to a HubSpot contact', () => {
    const model = modelWith({ actionable: true });
    const planFor = (source: 'salesforce' | 'hubspot') => whatWouldMakeHotter(model, [ORGANIC_SEARCH], contributionsOf([ORGANIC_SEARCH], model), source)!;
    // −1.8 is cold; Direct Traffic (+0.3) is as far as a HubSpot contact goes, short of warm (−1.39). Web (+0.8) reaches it.
    expect(planFor('hubspot')).toMatchObject({ changes: [{ label: 'Lead source', from: 'Organic Search', to: 'Direct Traffic' }], reaches: false });
    expect(planFor('salesforce')).toMatchObject({ changes: [{ label: 'Lead source', from: 'ORGANIC_SEARCH', to: 'Web' }], reaches: true });
  });
});

describe('a number HubSpot records as a dropdown of ranges (employees: "1-5" … "1000+", read as 1 … 1000)', () => {
  // Bins ≤ 10 (holding HubSpot's 1 and 5) | 11 – 50 (25, 50) | 51 – 200 (100) | 201 – 1,000 (500, 1000) | ≥ 1,001 (none).
  const modelWith = ({ scores, actionable = false, binRows }: { scores: number[]; actionable?: boolean; binRows?: number[] }) =>
    handMadeManifest({
      features: [{ key: 'employees', label: 'Employees', type: 'numeric', actionable, derive: { kind: 'value', from: { salesforce: 'NumberOfEmployees', hubspot: 'numemployees', csv: 'employees' } } }],
      terms: [
        {
          features: [0],
          label: 'Employees',
          shape: { axes: [{ labels: ['≤ 10', '11 – 50', '51 – 200', '201 – 1,000', '≥ 1,001', 'missing'], edges: [10.5, 50.5, 200.5, 1000.5] }], scores: [...scores, 0] },
        },
      ],
      intercept: -2,
      referenceFeatures: binRows ? [{ ...summaryOf('employees', 0), binRows }] : [],
    });
  const idealOf = (model: Manifest, value: number, source: 'salesforce' | 'hubspot' | 'csv', written: string | null = null) => deviationsFromIdeal(model, [value], source, [written])[0];

  it("names the option that scores best as a HubSpot contact's ideal, as HubSpot writes it; a Salesforce lead's or a file's, a range of numbers", () => {
    const model = modelWith({ scores: [-0.5, 0.2, 0.7, 0.6, 0.1] });
    // Before: "51 – 200", and "201 – 1,000" below: no HubSpot contact has 51 to 99, nor 101 to 499, employees.
    expect(idealOf(model, 5, 'hubspot', '5-25')).toEqual({ feature: 0, label: 'Employees', actionable: false, leadValue: '5-25', idealValue: '100-500', pointsLost: expect.closeTo(1.2, 12) });
    expect(idealOf(model, 5, 'salesforce')).toMatchObject({ leadValue: '5', idealValue: '51 – 200', pointsLost: expect.closeTo(1.2, 12) });
    expect(idealOf(model, 5, 'csv', '5-25')).toMatchObject({ leadValue: '5-25', idealValue: '51 – 200' });
    // Options the model reads in one bin score alike: both are named.
    expect(idealOf(modelWith({ scores: [-0.5, 0.2, 0.6, 0.7, 0.1] }), 5, 'hubspot', '5-25')).toMatchObject({ idealValue: '500-1000 or 1000+', pointsLost: expect.closeTo(1.2, 12) });
    // A contact whose option is the ideal loses nothing.
    expect(idealOf(model, 100, 'hubspot', '100-500')).toMatchObject({ leadValue: '100-500', idealValue: '100-500', pointsLost: 0 });
  });

  it("weighs each option by the training leads of the bin it is read in, among those of the options' bins", () => {
    // 20 training leads had 201 – 1,000 employees: too few for an ideal (at least 30), though it scores best of HubSpot's options.
    // 500 had more than 1,000: Salesforce's ideal, never a HubSpot contact's.
    const model = modelWith({ scores: [-0.5, 0.2, 0.6, 0.7, 0.9], binRows: [400, 300, 200, 20, 500, 0] });
    expect(idealOf(model, 5, 'hubspot', '5-25')).toMatchObject({ idealValue: '100-500', pointsLost: expect.closeTo(1.1, 12) });
    expect(idealOf(model, 5, 'salesforce')).toMatchObject({ idealValue: '≥ 1,001', pointsLost: expect.closeTo(1.4, 12) });
  });

  it("takes a value none of HubSpot's options is (a portal's own option) as one the contact holds, named as it has it", () => {
    const model = modelWith({ scores: [-0.5, 0.2, 0.6, 0.6, 0.9] });
    expect(idealOf(model, 5000, 'hubspot', '5000+')).toMatchObject({ leadValue: '5000+', idealValue: '5000+', pointsLost: 0 });
    // Another contact's ideal is among the options: "≥ 1,001" holds none of them.
    expect(idealOf(model, 1, 'hubspot', '1-5').idealValue).toBe('100-500');
  });

  it("moves a HubSpot contact's employees, where a rep may set them, only to one of HubSpot's options, worded as HubSpot writes it", () => {
    const model = modelWith({ scores: [-0.5, 0.2, 0.6, 0.7, 0.1], actionable: true });
    const planFor = (source: 'salesforce' | 'hubspot', written: string | null) => whatWouldMakeHotter(model, [5], contributionsOf([5], model), source, undefined, undefined, [written])!;
    // −2.5 is cold; warm starts at −1.39: 51 – 200 (+1.1) falls short, 201 – 1,000 (+1.2) reaches it.
    // Before: "Employees: 5 → 201 – 1,000" (201, the least number of the bin), which no HubSpot contact holds.
    expect(planFor('hubspot', '5-25')).toMatchObject({ changes: [{ label: 'Employees', from: '5-25', to: '500-1000', value: 500 }], reaches: true });
    expect(planFor('salesforce', null)).toMatchObject({ changes: [{ label: 'Employees', from: '5', to: '201 – 1,000', value: 201 }], reaches: true });
  });
});

describe('the pooled "(other)" is no ideal', () => {
  // Industry learned as Tech and Retail; every other industry (Aerospace, …) pooled as "(other)", which scores best.
  const modelWith = (binRows?: number[]) =>
    handMadeManifest({
      features: [{ key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech', 'Retail', '(other)'], otherCode: 2, derive: { kind: 'value', from: { csv: 'industry' } } }],
      terms: [{ features: [0], label: 'Industry', shape: { axes: [{ labels: ['Tech', 'Retail', '(other)', 'missing'], edges: [] }], scores: [0.1, -0.6, 0.9, 0] } }],
      intercept: -2,
      referenceFeatures: binRows ? [{ ...summaryOf('industry', 0), binRows }] : [],
    });
  const [RETAIL, OTHER] = [1, 2];

  it.each([
    ['with the training leads per level', [300, 300, 400, 0]],
    ['without them', undefined],
  ] as const)('names the best learned level as a Retail lead\'s ideal, %s', (_, binRows) => {
    expect(deviationsFromIdeal(modelWith(binRows && [...binRows]), [RETAIL], 'csv')).toEqual([
      { feature: 0, label: 'Industry', actionable: false, leadValue: 'Retail', idealValue: 'Tech', pointsLost: expect.closeTo(0.7, 12) },
    ]);
  });

  it('asks a lead of a pooled industry for no learned one that scores worse', () => {
    for (const binRows of [[300, 300, 400, 0], undefined]) expect(deviationsFromIdeal(modelWith(binRows), [OTHER], 'csv')[0]).toMatchObject({ pointsLost: 0 });
  });
});
