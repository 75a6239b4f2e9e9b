import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainLead, featuresTracked, modelReasons, startingPoint, valuesAsWritten, type PageRead } from './explain';
import { MAX_VALUE_CHARS } from './visible-text';
import { featurizeRecord, type RawRecord, type SourceKind } from './featurize';
import { pageConventions, pageFieldsAsData } from './page-values';
import { visibleText } from './visible-text';
import { ManifestSchema, type Calibration, type Manifest } from './manifest';
import { applyCalibration } from './train/calibration';
import { handMadeManifest } from '../../test/fixtures/manifest';
import { oddsFactor, reasonInWords } from '../presentation';

const manifest: Manifest = handMadeManifest({
  features: [
    { key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: { csv: 'title' } } },
    { key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech'], derive: { kind: 'value', from: { csv: 'industry' } } },
  ],
  terms: [
    { features: [0], label: 'Job title' },
    { features: [0, 1], label: 'Job title × Industry' },
  ],
  intercept: -2,
});
const now = new Date('2026-11-01T00:00:00Z');

describe('explainLead', () => {
  it('clips a huge CRM value, so a reason stays a line a rep can read', () => {
    const title = 'VP '.repeat(20_000) + 'Sales';
    const [single, pair] = explainLead(manifest, [0.9, 0.1], { title, industry: 'Tech' }, 'csv', now);
    expect(single.value).toBe(`${title.slice(0, MAX_VALUE_CHARS - 1).trimEnd()}…`);
    expect(single.value.length).toBeLessThanOrEqual(MAX_VALUE_CHARS);
    expect(pair.value).toBe(`${single.value} · Tech`);
  });

  it('keeps short values whole, and says "not known" for missing ones', () => {
    const reasons = explainLead(manifest, [0.9, 0.1], { title: 'VP Sales' }, 'csv', now);
    expect(reasons.map((r) => r.value)).toEqual(['VP Sales', 'VP Sales · not known']);
  });

  it('isolates each value of a pair when one reads right to left, so "not known" stays beside its own field', () => {
    const reasons = explainLead(manifest, [0.9, 0.1], { title: 'مدير المبيعات' }, 'csv', now);
    expect(reasons.map((r) => r.value)).toEqual(['مدير المبيعات', '\u2068مدير المبيعات\u2069 · \u2068not known\u2069']);
  });

  it('marks a pair of fields as one and names it in words, not with a "×" that reads as an odds factor', () => {
    const reasons = explainLead(manifest, [0.9, 0.1], { title: 'VP Sales', industry: 'Tech' }, 'csv', now);
    expect(reasons).toEqual([
      { label: 'Job title', value: 'VP Sales', points: 0.9 },
      { label: 'Job title with Industry', value: 'VP Sales · Tech', points: 0.1, pair: true },
    ]);
  });

  it('never cuts between the halves of a character', () => {
    const [single] = explainLead(manifest, [0.9, 0.1], { title: `${'a'.repeat(MAX_VALUE_CHARS - 2)}😀 and more` }, 'csv', now);
    expect(single.value).toBe(`${'a'.repeat(MAX_VALUE_CHARS - 2)}…`);
  });
});

describe('CRM values with control characters', () => {
  it('drops the direction controls, so a value cannot reorder the words around it, and keeps the rest as it is', () => {
    const overrides = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    const [single] = explainLead(manifest, [0.9, 0.1], { title: `VP Sales ${overrides}eulav eurt eht ton si siht` }, 'csv', now);
    expect(single.value).toBe('VP Sales eulav eurt eht ton si siht');
  });

  it('drops other controls a rep cannot see, reads line breaks as spaces, and keeps joiners and right-to-left letters', () => {
    const [single] = explainLead(manifest, [0.9, 0.1], { title: 'Head\u0007 of\u200B Sales\nEMEA\r\n👩\u200D💻 מכירות' }, 'csv', now);
    expect(single.value).toBe('Head of Sales EMEA 👩\u200D💻 מכירות');
  });

  it('clips what is left after the controls go: they take no room of the value', () => {
    const [single] = explainLead(manifest, [0.9, 0.1], { title: `${'\u202E'.repeat(50)}${'a'.repeat(MAX_VALUE_CHARS)}` }, 'csv', now);
    expect(single.value).toBe('a'.repeat(MAX_VALUE_CHARS));
  });

  it('keeps control characters out of visibleText too', () => {
    expect(visibleText('Acme\u202E Corp\u2069')).toBe('Acme Corp');
  });
});

describe('a derived feature', () => {
  const seniority = handMadeManifest({
    features: [
      {
        key: 'title_seniority',
        label: 'Title seniority',
        type: 'categorical',
        vocabulary: ['c-level', 'individual', 'other'],
        derive: { kind: 'titleSeniority', from: { csv: 'title' } },
      },
    ],
    terms: [{ features: [0], label: 'Title seniority' }],
    intercept: -2,
  });
  const valueFor = (title: string | undefined) => explainLead(seniority, [0.5], { title }, 'csv', now)[0].value;

  it('shows the level the model scored with the title it was read from', () => {
    expect(valueFor('Product Owner')).toBe('Individual contributor (Product Owner)');
    expect(valueFor('Owner')).toBe('C-level (Owner)');
  });

  it('words the level for a rep, never as the model codes it: "VP (SVP Operations)", not "vp (SVP Operations)"', () => {
    expect(valueFor('SVP Operations')).toBe('VP (SVP Operations)');
    expect(valueFor('Consultant')).toBe('Individual contributor (Consultant)');
    expect(valueFor('Former VP')).toBe('No current company role (Former VP)');
  });

  it('says "not known" for a missing title, or one nothing of which can be shown, and with the title when no rule reads it', () => {
    expect(valueFor(undefined)).toBe('not known');
    expect(valueFor('\u202E')).toBe('not known');
    expect(valueFor('代表取締役社長')).toBe('not known (代表取締役社長)');
  });
});

describe("a page's category and an address's kind", () => {
  const model = handMadeManifest({
    features: [
      { key: 'last_page', label: 'Last page seen', type: 'categorical', vocabulary: ['pricing', 'blog', '(other)'], otherCode: 2, derive: { kind: 'urlCategory', from: { csv: 'page' } } },
      { key: 'email_domain', label: 'E-mail domain', type: 'categorical', vocabulary: ['corporate', 'free'], derive: { kind: 'emailDomainKind', from: { csv: 'email' } } },
    ],
    terms: [
      { features: [0], label: 'Last page seen' },
      { features: [1], label: 'E-mail domain' },
    ],
    intercept: -2,
  });
  const valuesFor = (record: RawRecord) => explainLead(model, [0.5, -0.2], record, 'csv', now).map((reason) => reason.value);

  it('are worded for a rep, never as the model codes them', () => {
    expect(valuesFor({ page: 'https://acme.io/pricing', email: 'ann@gmail.com' })).toEqual(['Pricing page', 'Free e-mail (gmail.com)']);
    expect(valuesFor({ page: 'https://acme.io/contact-us', email: 'ann@acme.io' })).toEqual(['Contact page', 'Company e-mail (acme.io)']);
  });
});

describe('a lead from a source without some of the fields', () => {
  // Salesforce has the title only; HubSpot has the e-mail opens and website visits too.
  const tracked = { salesforce: 'Title', hubspot: 'jobtitle' };
  const mixed = handMadeManifest({
    features: [
      { key: 'title', label: 'Job title', type: 'categorical', vocabulary: ['VP Sales'], derive: { kind: 'value', from: tracked } },
      { key: 'opens', label: 'Marketing e-mails opened', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'hs_email_open' } } },
      { key: 'visits', label: 'Website visits', type: 'numeric', derive: { kind: 'value', from: { hubspot: 'hs_analytics_num_visits' } } },
    ],
    terms: [
      { features: [1], label: 'Marketing e-mails opened' },
      { features: [0, 2], label: 'Job title × Website visits' },
      { features: [0], label: 'Job title' },
      { features: [1, 2], label: 'Marketing e-mails opened × Website visits' },
    ],
    intercept: -2,
  });
  const contributions = [0.05, 0.25, 0.5, -0.125];

  it('gives no reason about a field the source does not have: its terms go to the starting point, its pairs to the other feature', () => {
    const reasons = explainLead(mixed, contributions, { Title: 'VP Sales' }, 'salesforce', now);
    expect(reasons).toEqual([{ label: 'Job title', value: 'VP Sales', points: 0.75 }]);
    expect(startingPoint(mixed, contributions, 'salesforce')).toBeCloseTo(-2 + 0.05 - 0.125, 12);
  });

  it('still adds up to the lead\'s log-odds', () => {
    const logOdds = mixed.intercept + contributions.reduce((sum, points) => sum + points, 0);
    const reasons = explainLead(mixed, contributions, { Title: 'VP Sales' }, 'salesforce', now);
    expect(startingPoint(mixed, contributions, 'salesforce') + reasons.reduce((sum, reason) => sum + reason.points, 0)).toBeCloseTo(logOdds, 12);
  });

  it('gives every term as a reason for a source that has every field', () => {
    const reasons = explainLead(mixed, contributions, { jobtitle: 'VP Sales', hs_email_open: '3' }, 'hubspot', now);
    expect(reasons.map((r) => `${r.label}: ${r.value}`)).toEqual([
      'Job title: VP Sales',
      'Job title with Website visits: VP Sales · not known',
      'Marketing e-mails opened with Website visits: 3 · not known',
      'Marketing e-mails opened: 3',
    ]);
    expect(startingPoint(mixed, contributions, 'hubspot')).toBe(-2);
  });

  it('counts the features the source has a field for', () => {
    expect(featuresTracked(mixed, 'salesforce')).toBe(1);
    expect(featuresTracked(mixed, 'hubspot')).toBe(3);
    expect(featuresTracked(mixed, 'csv')).toBe(0);
  });
});

describe('reasons on the odds of the probability shown', () => {
  // Job title and the pair: both features are CSV fields, so a CSV lead starts at the intercept, -2.
  const withCalibration = (calibration: Calibration): Manifest => ({ ...manifest, calibration });
  const record = { title: 'VP Sales', industry: 'Tech' };
  const logOdds = (p: number) => Math.log(p / (1 - p));
  const explained = (model: Manifest, contributions: number[]) => {
    const reasons = explainLead(model, contributions, record, 'csv', now);
    const start = startingPoint(model, contributions, 'csv');
    const end = reasons.reduce((sum, reason) => sum + reason.points, start);
    const shown = applyCalibration(model.calibration, contributions.reduce((sum, points) => sum + points, model.intercept));
    return { reasons, start, end, shown };
  };

  it('scales every reason by Platt\'s a and starts at a · start + b: a +2 reason moves the odds shown ×e = 2.7, not ×e² = 7.4', () => {
    const { reasons, start, end, shown } = explained(withCalibration({ kind: 'platt', a: 0.5, b: -1 }), [2, 0.6]);
    expect(reasons.map((reason) => reason.points)).toEqual([1, 0.3]);
    expect(oddsFactor(reasons[0].points)).toBe('2.7');
    expect(start).toBe(0.5 * -2 - 1);
    // −2 + 1 + 0.3 = −0.7 = 0.5 · (−2 + 2.6) − 1: the log-odds of the probability shown
    expect(end).toBeCloseTo(-0.7, 12);
    expect(end).toBeCloseTo(logOdds(shown), 12);
  });

  it('words a reason, as the popover does, by the odds shown', () => {
    const { reasons } = explained(withCalibration({ kind: 'platt', a: 0.5, b: -1 }), [2, 0.6]);
    // 0.6 model points, "moderately" (×1.8), move the odds shown by 0.3: ×1.35, "slightly"
    expect(reasons.map((reason) => reasonInWords(reason).effect)).toEqual(['strongly raises the odds', 'slightly raises the odds']);
  });

  it('scales by the secant slope of isotonic calibration, from the calibrated starting point to the probability shown', () => {
    // p rises from 0.2 at −2 to 0.5 at 0: log-odds ln(1/4) → 0, so each model point counts ln 4 / 2 = ln 2 there.
    const { reasons, start, end, shown } = explained(withCalibration({ kind: 'isotonic', logits: [-2, 0], probabilities: [0.2, 0.5] }), [1.5, 0.5]);
    expect(reasons.map((reason) => reason.label)).toEqual(['Job title', 'Job title with Industry']);
    expect(reasons[0].points).toBeCloseTo(1.5 * Math.LN2, 12);
    expect(reasons[1].points).toBeCloseTo(0.5 * Math.LN2, 12);
    expect(reasons.map((reason) => oddsFactor(reason.points))).toEqual(['2.8', '1.4']); // ×2^1.5, ×√2
    expect(start).toBeCloseTo(Math.log(1 / 4), 12);
    expect(shown).toBe(0.5);
    expect(end).toBeCloseTo(0, 12);
  });

  it('keeps the reasons where isotonic calibration is flat between the start and the lead, still ending at the probability shown', () => {
    // 0.2 from −3 to 0: the start (−2) and the lead (−1) are on that step. Widened around −1.5 until the map rises:
    // over −3.5 … 0.5, where p is 0.15 and 0.35.
    const calibration: Calibration = { kind: 'isotonic', logits: [-4, -3, 0, 1], probabilities: [0.1, 0.2, 0.2, 0.5] };
    const { reasons, start, end } = explained(withCalibration(calibration), [1.5, -0.5]);
    const slope = (logOdds(0.35) - logOdds(0.15)) / 4;
    expect(reasons[0].points).toBeCloseTo(1.5 * slope, 12);
    expect(reasons[1].points).toBeCloseTo(-0.5 * slope, 12);
    expect(end).toBeCloseTo(logOdds(0.2), 12);
    expect(start).toBeCloseTo(logOdds(0.2) - slope, 12);
  });

  it('counts no reason when the calibration gives every lead the same probability, in the model\'s order', () => {
    const model = withCalibration({ kind: 'isotonic', logits: [-1, 1], probabilities: [0.2, 0.2] });
    const { reasons, start } = explained(model, [-0.3, 1]);
    expect(reasons.map((reason) => Math.abs(reason.points))).toEqual([0, 0]);
    expect(reasons.map((reason) => reason.label)).toEqual(modelReasons(model, [-0.3, 1], record, 'csv', now).map((reason) => reason.label));
    expect(reasons.map((reason) => reason.label)).toEqual(['Job title with Industry', 'Job title']);
    expect(start).toBeCloseTo(logOdds(0.2), 12);
  });

  it('reads a lead at its starting point by the local slope', () => {
    // Reasons that cancel out: the lead stays at −2, the first knot, read over −2.005 … −1.995 (p 0.2 … 0.20075).
    const { reasons, end } = explained(withCalibration({ kind: 'isotonic', logits: [-2, 0], probabilities: [0.2, 0.5] }), [0.8, -0.8]);
    const slope = (logOdds(0.20075) - logOdds(0.2)) / 0.01;
    expect(reasons[0].points).toBeCloseTo(0.8 * slope, 9);
    expect(reasons[1].points).toBeCloseTo(-0.8 * slope, 9);
    expect(end).toBeCloseTo(logOdds(0.2), 12);
  });
});

describe('numbers as the CRM page wrote them', () => {
  const bundled = ManifestSchema.parse(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  const noPoints = bundled.terms.map(() => 0);
  /** A page's fields read as a score request's are (`pageFieldsAsData`), and the page they were read from. */
  const readFrom = (shown: RawRecord, source: SourceKind, locale: string): { record: RawRecord; page: PageRead } => {
    const read = pageFieldsAsData(shown, bundled.features, source, pageConventions(locale), 'UTC');
    return { record: read, page: { shown, read } };
  };
  const valueOf = (label: string, record: RawRecord, source: SourceKind, page?: PageRead) =>
    explainLead(bundled, noPoints, record, source, now, page).find((reason) => reason.label === label)?.value;

  it.each([
    ['€1.200.000', 'de-DE'],
    ['EUR 2,500,000.00 (USD 2,713,067.50)', 'en-US'],
    ['£850,000', 'en-GB'],
    ['SEK 25,000,000.00', 'sv-SE'],
    ['¥120,000,000', 'ja-JP'],
  ])("words the revenue a %s (%s) page shows as the page does, never in the manifest's dollars", (shown, locale) => {
    const { record, page } = readFrom({ AnnualRevenue: shown }, 'salesforce', locale);
    expect(valueOf('Annual revenue', record, 'salesforce', page)).toBe(shown);
  });

  it("words a HubSpot employee range as the page does, the model reading its lower end, in a pair too", () => {
    for (const [shown, locale, scored] of [['5-25', 'en-US', 5], ['1000+', 'en-US', 1000], ['5-25', 'de-DE', 5]] as const) {
      const { record, page } = readFrom({ numemployees: shown, annualrevenue: '€1.200.000' }, 'hubspot', locale);
      expect(featurizeRecord(record, bundled.features, 'hubspot', now)[bundled.features.findIndex((f) => f.key === 'employees')]).toBe(scored);
      expect(valueOf('Employees', record, 'hubspot', page)).toBe(shown);
      expect(valueOf('Annual revenue with Employees', record, 'hubspot', page)).toBe(`€1.200.000 · ${shown}`);
    }
    // Without the page, as the record holds it: an en-US page's range is kept as written.
    expect(valueOf('Employees', { numemployees: '5-25' }, 'hubspot')).toBe('5-25');
  });

  it("words a German page's 1.500 employees as it does, not as the 1,500 a German reader takes for 1.5", () => {
    const { record, page } = readFrom({ NumberOfEmployees: '1.500' }, 'salesforce', 'de-DE');
    expect(featurizeRecord(record, bundled.features, 'salesforce', now)[bundled.features.findIndex((f) => f.key === 'employees')]).toBe(1500);
    expect(valueOf('Employees', record, 'salesforce', page)).toBe('1.500');
    expect(valuesAsWritten(bundled, record, 'salesforce', now, page).filter((value) => value !== null)).toEqual(['1.500']);
    // An en-US page's plain 1500 is worded as the model's numbers are.
    const plain = readFrom({ NumberOfEmployees: '1500' }, 'salesforce', 'en-US');
    expect(valueOf('Employees', plain.record, 'salesforce', plain.page)).toBe('1,500');
  });

  it("words the API's value, which wins over the page's, as the page does only where the page shows the same number", () => {
    const api = { AnnualRevenue: 1200000 };
    expect(valueOf('Annual revenue', api, 'salesforce')).toBe('$1,200,000');
    expect(valueOf('Annual revenue', api, 'salesforce', readFrom({ AnnualRevenue: '€1.300.000' }, 'salesforce', 'de-DE').page)).toBe('$1,200,000');
    expect(valueOf('Annual revenue', api, 'salesforce', readFrom({ AnnualRevenue: '€1.200.000' }, 'salesforce', 'de-DE').page)).toBe('€1.200.000');
  });

  it('gives the values written so for the comparison with the ideal customer, as a reason shows them, null for any other', () => {
    const { record, page } = readFrom({ numemployees: '5-25', annualrevenue: '1200000', hs_analytics_num_visits: '3' }, 'hubspot', 'de-DE');
    const written = valuesAsWritten(bundled, record, 'hubspot', now, page);
    expect(Object.fromEntries(bundled.features.flatMap((feature, f) => (written[f] === null ? [] : [[feature.key, written[f]]])))).toEqual({ employees: '5-25' });
    // A number the page wrote long (its unit after a line break), read as 1,200 and shown cut.
    const long = ` 1,200.${'0'.repeat(100)}\nemployees`;
    const [clipped] = valuesAsWritten(handMadeManifest({
      features: [{ key: 'employees', label: 'Employees', type: 'numeric', derive: { kind: 'value', from: { csv: 'employees' } } }],
      terms: [{ features: [0], label: 'Employees' }],
      intercept: -2,
    }), { employees: long }, 'csv', now);
    expect(clipped).toBe(`1,200.${'0'.repeat(100)} employees`.slice(0, MAX_VALUE_CHARS - 1).trimEnd() + '…');
  });

  it('gives a category the model pools into "(other)" as the lead has it, as its reason shows it, and a learned one as null', () => {
    const model = handMadeManifest({
      features: [{ key: 'industry', label: 'Industry', type: 'categorical', vocabulary: ['Tech', 'Retail', '(other)'], otherCode: 2, derive: { kind: 'value', from: { csv: 'industry' } } }],
      terms: [{ features: [0], label: 'Industry' }],
      intercept: -2,
    });
    expect(valuesAsWritten(model, { industry: 'Aerospace' }, 'csv', now)).toEqual(['Aerospace']);
    expect(valuesAsWritten(model, { industry: 'Retail' }, 'csv', now)).toEqual([null]);
    expect(valuesAsWritten(model, { industry: '' }, 'csv', now)).toEqual([null]);
  });
});
