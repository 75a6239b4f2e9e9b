import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { SALESFORCE_LEAD_FIELDS, HUBSPOT_CONTACT_PROPERTIES } from '../../../test/demo-crm/fields';
import { SOURCE_KINDS } from '../../crm/types';
import type { SourceKind } from '../featurize';
import { bareFieldName, keepsCountingAfterOutcome, knownAfterOutcome, LEAKY_GROUP_CHANCE, LEAKY_GROUP_CONVERTED_SHARE, LEAKY_GROUP_RATIO, LEAKY_GROUP_SHARE, leakageReport, logChanceOfAtMost, type LeakageColumn } from './leakage';

const n = 2000;
const rand = mulberry32(17);
const labels = Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
const column = (name: string, kind: LeakageColumn['kind'], value: (label: number, row: number) => number): LeakageColumn => ({
  name,
  kind,
  values: Float32Array.from(labels, (label, row) => value(label, row)),
});

const columns: LeakageColumn[] = [
  // Known only after a deal closes.
  column('deal_amount', 'numeric', (label) => (label ? 1000 + 100 * rand() : 100 * rand())),
  // A date field the CRM sets when a lead converts, occasionally set otherwise.
  column('contract_date', 'numeric', (label) => ((label ? rand() < 0.95 : rand() < 0.1) ? 20_000 + 100 * rand() : Number.NaN)),
  // Honest, mildly predictive, and backwards (higher = less likely) to check orientation.
  column('days_since_visit', 'numeric', (label) => 30 * rand() - 8 * label),
  // Honest with missing values: filled for 70 % of everyone.
  column('company_size', 'numeric', (label) => (rand() < 0.7 ? 50 * rand() + 10 * label : Number.NaN)),
  // A status tag the sales team writes after contact: level 0 = "closed won".
  column('status_tag', 'categorical', (label) => (label ? (rand() < 0.97 ? 0 : 1) : 1 + Math.floor(3 * rand()))),
  // An id: a level per row. In-sample target rates would predict perfectly; out of fold they cannot.
  column('lead_number', 'categorical', (_, row) => row),
  // A disqualification date: written when a lead is lost, for most of them, never for a converted one.
  column('disqualified_date', 'numeric', (label) => (!label && rand() < 0.7 ? 20_000 + 100 * rand() : Number.NaN)),
  // Honest categorical with missing: source 0…3, source 0 converts more.
  column('source', 'categorical', (label) => (rand() < 0.1 ? Number.NaN : label && rand() < 0.4 ? 0 : Math.floor(4 * rand()))),
  // A rep's rating (Hot, Warm, Cold): set on every converted lead, on half the others (the demo CRM's Salesforce Rating).
  column('rating', 'categorical', (label) => (label ? Math.floor(3 * rand()) : rand() < 0.52 ? Math.floor(3 * rand()) : Number.NaN)),
  // "Became a customer": dated for the 40 % of converted leads that went on to buy, for no other.
  column('customer_since', 'numeric', (label) => (label && rand() < 0.4 ? 20_000 + 300 * rand() : Number.NaN)),
  // Honest, with a segment that never converts (a bought list, 10 % of the leads): a level, not a leak.
  column('channel', 'categorical', (label) => (!label && rand() < 0.14 ? 3 : Math.floor(3 * rand()))),
];
const report = leakageReport(columns, labels);
const finding = (name: string) => report.find((f) => f.name === name)!;

describe('leakageReport', () => {
  it('returns one finding per column, in order', () => {
    expect(report.map((f) => f.name)).toEqual(columns.map((c) => c.name));
  });

  it('flags a numeric column that separates the classes almost perfectly', () => {
    expect(finding('deal_amount').rocAuc).toBe(1);
    expect(finding('deal_amount').flag?.reason).toMatch(/^predicts the outcome almost perfectly by itself .*probably filled after conversion$/);
  });

  it('flags a column filled mostly for converted leads', () => {
    const contract = finding('contract_date');
    expect(contract.fillRatePositives).toBeGreaterThan(0.9);
    expect(contract.fillRateNegatives).toBeLessThan(0.3);
    expect(contract.flag?.reason).toMatch(/filled mostly for converted leads \(9\d% of them, \d+% of the others\)/);
  });

  it('flags a column filled mostly for leads that did not convert', () => {
    const disqualified = finding('disqualified_date');
    expect(disqualified.fillRatePositives).toBe(0);
    expect(disqualified.flag?.reason).toMatch(/filled mostly for leads that did not convert \(\d+% of them, 0% of the converted\)/);
  });

  it('flags a categorical status tag through its out-of-fold level rates', () => {
    expect(finding('status_tag').rocAuc).toBeGreaterThan(0.95);
    expect(finding('status_tag').flag).not.toBeNull();
  });

  it('does not flag honest columns, whatever their direction', () => {
    for (const name of ['days_since_visit', 'company_size', 'source']) {
      expect(finding(name).flag).toBeNull();
      expect(finding(name).rocAuc).toBeGreaterThan(0.55);
      expect(finding(name).rocAuc).toBeLessThan(0.9);
    }
    expect(finding('company_size').fillRatePositives).toBeCloseTo(0.7, 1);
    expect(finding('company_size').fillRateNegatives).toBeCloseTo(0.7, 1);
  });

  it('flags a field set on every converted lead and on only some others, however weakly it ranks: being empty says "not converted"', () => {
    const rating = finding('rating');
    // Neither near-perfect nor filled mostly for one class: the rules before the purity rule pass it.
    expect(rating.rocAuc).toBeLessThan(0.8);
    expect(rating.fillRatePositives).toBe(1);
    expect(rating.fillRateNegatives).toBeGreaterThan(0.4);
    expect(rating.flag?.reason).toMatch(
      /^empty for 4\d% of the leads that did not convert and for none of the \d+ converted: probably filled in when a lead converts, so being empty says it did not$/,
    );
  });

  it('flags a field filled for only some converted leads and for no other', () => {
    const customer = finding('customer_since');
    expect(customer.rocAuc).toBeLessThan(0.75);
    expect(customer.flag?.reason).toMatch(/^filled for 4\d% of the converted leads and for none of the [\d,]+ others: probably written when a lead converts$/);
  });

  it('names the level of a category that only converted leads have', () => {
    const [status] = leakageReport(
      [{ name: 'status', kind: 'categorical', levels: ['Open', 'Working', 'Closed - Converted'], values: Float32Array.from(labels, (label) => (label && rand() < 0.3 ? 2 : Math.floor(2 * rand()))) }],
      labels,
    );
    expect(status.flag?.reason).toMatch(/^set to "Closed - Converted" for 3\d% of the converted leads and for none of the [\d,]+ others/);
  });

  it('does not flag a level that never converts: an honest segment as often as a leak', () => {
    expect(finding('channel').flag).toBeNull();
  });

  it('does not judge a group holding too few of a class’s leads: a small group of one class is often so by chance', () => {
    // Filled for 15 converted leads and no other: under 5 % of the converted leads (with 30 % converting the share binds before the chance test does).
    const few = Float32Array.from(labels, (label, row) => (label && row < 40 ? 1 : Number.NaN));
    const filledConverted = few.filter((v) => !Number.isNaN(v)).length;
    expect(filledConverted).toBe(15);
    expect(filledConverted / labels.filter((label) => label).length).toBeLessThan(LEAKY_GROUP_SHARE);
    expect(leakageReport([{ name: 'few', kind: 'numeric', values: few }], labels)[0].flag).toBeNull();
    // The same pattern over more rows is flagged.
    const more = Float32Array.from(labels, (label, row) => (label && row < 400 ? 1 : Number.NaN));
    expect(leakageReport([{ name: 'more', kind: 'numeric', values: more }], labels)[0].flag?.reason).toMatch(/^filled for \d+% of the converted leads and for none/);
  });

  describe('when conversions are rare (25 of 2,500 leads)', () => {
    const rareLabels = Uint8Array.from({ length: 2500 }, (_, row) => (row % 100 === 7 ? 1 : 0));
    /** Filled for the first `converted` converted leads and for no other lead. */
    const filledAtConversion = (converted: number): LeakageColumn => ({
      name: `filled for ${converted}`,
      kind: 'numeric',
      values: Float32Array.from(rareLabels, (label, row) => (label && row < 100 * converted ? 1000 + row : Number.NaN)),
    });

    it('flags a field filled for most converted leads and no other, though the others it would hold at the usual rate are under 20', () => {
      // The review's case: "Deal Size" for 20 of the 25 converted leads, none of the 2,475 others, where ~19.8 would be expected.
      const [dealSize] = leakageReport([filledAtConversion(20)], rareLabels);
      // Neither near-perfect nor filled for 90 % of converted leads: only the purity rule can say it.
      expect(dealSize.rocAuc).toBeCloseTo(0.9, 10);
      expect(dealSize.fillRatePositives).toBe(0.8);
      expect(dealSize.flag?.reason).toBe('filled for 80% of the converted leads and for none of the 2,475 others: probably written when a lead converts');
    });

    it('judges a small group by the chance of holding none of the other class: flagged from ~9.2 expected, not below', () => {
      // At 99 % not converting, 10 filled leads would hold 9.9 others (e^−9.9 ≈ 5e-5), 9 would hold 8.91 (e^−8.91 ≈ 1.4e-4).
      for (const converted of [10, 12, 20]) expect(leakageReport([filledAtConversion(converted)], rareLabels)[0].flag, `${converted}`).not.toBeNull();
      // However pure, 3 or 9 leads are too few to tell a leak from an honest segment that converts well (3 of 25 converted leads is 12 %, past the share the rule asks).
      for (const converted of [1, 3, 9]) expect(leakageReport([filledAtConversion(converted)], rareLabels)[0].flag, `${converted}`).toBeNull();
    });
  });

  it('does not flag an honest segment of leads that did not convert (junk sign-ups without a company) by the chance test alone', () => {
    // 1,000 leads, 100 converted; "Company" empty for 100 that did not convert: ~10 converted expected there, none seen
    // (e^−10, past chance), yet such a segment is common and honest. A lost-side group must expect 20 converted leads.
    const labels = Uint8Array.from({ length: 1000 }, (_, row) => (row < 100 ? 1 : 0));
    const company: LeakageColumn = { name: 'Company', kind: 'categorical', levels: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], values: Float32Array.from(labels, (_, row) => (row >= 900 ? Number.NaN : row % 7)) };
    expect(leakageReport([company], labels)[0].flag).toBeNull();
    // Twice as many such leads: ~20 converted expected and none seen, flagged as before.
    const twice: LeakageColumn = { ...company, values: Float32Array.from(labels, (_, row) => (row >= 800 ? Number.NaN : row % 7)) };
    expect(leakageReport([twice], labels)[0].flag?.reason).toMatch(/^empty for 22% of the leads that did not convert and for none of the 100 converted/);
  });

  it('does not let an id column score itself', () => {
    expect(Math.abs(finding('lead_number').rocAuc - 0.5)).toBeLessThan(0.05);
    expect(finding('lead_number').flag).toBeNull();
  });

  it('places missing values at whichever end separates better, by hand', () => {
    // Missing high: [∞, 3 | 1, 2] separates perfectly; missing low only half.
    const [handMade] = leakageReport([{ name: 'x', kind: 'numeric', values: Float32Array.of(Number.NaN, 3, 1, 2) }], [1, 1, 0, 0]);
    expect(handMade.rocAuc).toBe(1);
  });

  it('computes fill rates by class, by hand', () => {
    const [handMade] = leakageReport(
      [{ name: 'x', kind: 'numeric', values: Float32Array.of(1, Number.NaN, 2, Number.NaN, Number.NaN) }],
      [1, 1, 0, 0, 0],
    );
    expect(handMade.fillRatePositives).toBe(0.5);
    expect(handMade.fillRateNegatives).toBeCloseTo(1 / 3, 15);
  });

  it('is deterministic and rejects a column of the wrong length', () => {
    expect(leakageReport(columns, labels)).toEqual(report);
    expect(() => leakageReport([{ name: 'short', kind: 'numeric', values: new Float32Array(3) }], labels)).toThrow(/short/);
  });
});

describe('leakageReport on yes/no and number columns: each yes/no value, and a number’s most common value against all its others, judged as a category’s levels', () => {
  const valueRand = mulberry32(23);
  const judged = (kind: LeakageColumn['kind'], value: (label: number) => number) =>
    leakageReport([{ name: 'x', kind, values: Float32Array.from(labels, (label) => value(label)) }], labels)[0];
  const convertedShare = (values: Float32Array, inGroup: (value: number) => boolean) =>
    labels.reduce((sum, label, row) => sum + (label && inGroup(values[row]) ? 1 : 0), 0) / labels.reduce((sum, label) => sum + label, 0);

  it('flags a yes/no set to "Yes" for most converted leads and for no other, though "No" counts as filled', () => {
    const values = Float32Array.from(labels, (label) => (label && valueRand() < 0.8 ? 1 : 0));
    const [closedWon] = leakageReport([{ name: 'closed_won_flag', kind: 'boolean', values }], labels);
    // Filled for every lead and short of near-perfect: only the purity rule can say it.
    expect(closedWon.fillRatePositives).toBe(1);
    expect(closedWon.fillRateNegatives).toBe(1);
    // Its ROC-AUC is still read from the value itself, exactly: "Yes" above "No".
    expect(closedWon.rocAuc).toBeCloseTo(0.5 + convertedShare(values, (value) => value === 1) / 2, 10);
    expect(closedWon.flag?.reason).toMatch(/^set to "Yes" for [78]\d% of the converted leads and for none of the [\d,]+ others: probably written when a lead converts$/);
  });

  it('flags a number left at 0 for every lead but most converted ones (an amount won), as it would an amount left empty', () => {
    const wonAmount = judged('numeric', (label) => (label && valueRand() < 0.85 ? 1000 + 50_000 * valueRand() : 0));
    expect(wonAmount.fillRateNegatives).toBe(1);
    expect(wonAmount.rocAuc).toBeLessThan(0.95);
    expect(wonAmount.flag?.reason).toMatch(/^set to a value other than 0 for 8\d% of the converted leads and for none of the [\d,]+ others: probably written when a lead converts$/);
    // The most common value need not be 0, and is named as a person writes it (float32 0.1, not 0.100000001…).
    const daysToClose = judged('numeric', (label) => (label && valueRand() < 0.6 ? Math.floor(30 * valueRand()) : 0.1));
    expect(daysToClose.flag?.reason).toMatch(/^set to a value other than 0\.1 for [56]\d% of the converted leads and for none/);
  });

  it('does not flag honest yes/no and number columns, one value of them however common', () => {
    const honest = {
      // Opted in to the newsletter: converts more than twice as often.
      optedIn: judged('boolean', (label) => (valueRand() < (label ? 0.5 : 0.2) ? 1 : 0)),
      // Do not e-mail: hardly ever converts, an honest segment as a category's level is.
      doNotEmail: judged('boolean', (label) => (!label && valueRand() < 0.15 ? 1 : 0)),
      // Contacts in an earlier campaign: 0 for most, more often some for those that convert.
      previousContacts: judged('numeric', (label) => (valueRand() < (label ? 0.35 : 0.12) ? 1 + Math.floor(3 * valueRand()) : 0)),
      // Days since an earlier campaign's contact, 999 for "never contacted" (the bank data's pdays).
      daysSinceContact: judged('numeric', (label) => (valueRand() < (label ? 0.2 : 0.03) ? Math.floor(27 * valueRand()) : 999)),
    };
    for (const [name, finding] of Object.entries(honest)) {
      expect(finding.flag, name).toBeNull();
      expect(finding.rocAuc, name).toBeGreaterThan(0.55);
    }
  });
});

describe('leakageReport when few leads convert (1–3 %): a group holding most converted leads and many times their share of the others', () => {
  /** `rows` leads, one in `every` converted. */
  const convertingOneIn = (rows: number, every: number) => Uint8Array.from({ length: rows }, (_, row) => (row % every === 0 ? 1 : 0));
  /** Whether each lead is among the first `converted` converted leads or the first `others` others. */
  const firstOf = (labels: Uint8Array, converted: number, others: number): boolean[] => {
    const seen = [0, 0];
    return Array.from(labels, (label) => seen[label]++ < (label ? converted : others));
  };
  /** A date filled for those leads (`firstOf`), empty for the rest. */
  const datedFor = (labels: Uint8Array, converted: number, others: number) =>
    Float32Array.from(firstOf(labels, converted, others), (inGroup, row) => (inGroup ? 20_000 + row : Number.NaN));
  const judged = (name: string, kind: LeakageColumn['kind'], labels: Uint8Array, values: Float32Array, levels?: string[]) =>
    leakageReport([{ name, kind, values, levels }], labels)[0];

  it('flags a date written at conversion and also for a few others, though the others are not all but absent', () => {
    // The review's case: 5,000 leads, 132 converted; a contract date for 100 of them and, by mistake or for a deal later lost, a few others.
    const labels = convertingOneIn(5000, 38);
    for (const others of [6, 7, 20]) {
      const contractSigned = judged('Contract_Signed_Date__c', 'numeric', labels, datedFor(labels, 100, others));
      // Neither near-perfect nor filled for 90 % of converted leads, and 6 others are more than 5 % of the ~103 chance would put there.
      expect(contractSigned.rocAuc, `${others}`).toBeLessThan(0.9);
      expect(contractSigned.fillRatePositives, `${others}`).toBeLessThan(0.9);
      expect(contractSigned.flag?.reason, `${others}`).toBe(`filled for 76% of the converted leads and for only ${others} of the 4,868 others: probably written when a lead converts`);
    }
    // 1 % and 3 % converting.
    const onePercent = convertingOneIn(10_000, 100);
    expect(judged('won_on', 'numeric', onePercent, datedFor(onePercent, 70, 15)).flag?.reason).toBe(
      'filled for 70% of the converted leads and for only 15 of the 9,900 others: probably written when a lead converts',
    );
    const threePercent = convertingOneIn(5000, 33);
    expect(judged('won_on', 'numeric', threePercent, datedFor(threePercent, 90, 5)).flag?.reason).toBe(
      'filled for 59% of the converted leads and for only 5 of the 4,848 others: probably written when a lead converts',
    );
  });

  it('names the level of a category that most converted leads have and a few others', () => {
    const labels = convertingOneIn(5000, 38);
    const stage = judged('Stage', 'categorical', labels, Float32Array.from(firstOf(labels, 80, 12), (inGroup, row) => (inGroup ? 2 : row % 2)), ['Open', 'Working', 'Closed Won']);
    expect(stage.flag?.reason).toBe('set to "Closed Won" for 61% of the converted leads and for only 12 of the 4,868 others: probably written when a lead converts');
  });

  it(`flags it from ${LEAKY_GROUP_RATIO} times the others' share, for at least ${LEAKY_GROUP_CONVERTED_SHARE * 100} % of the converted leads`, () => {
    const labels = convertingOneIn(5000, 38);
    // 100 of the 132 converted leads (76 %): 92 of the 4,868 others is 1.89 % (40.1 times less), 93 is 1.91 % (39.7).
    expect(judged('x', 'numeric', labels, datedFor(labels, 100, 92)).flag).not.toBeNull();
    expect(judged('x', 'numeric', labels, datedFor(labels, 100, 93)).flag).toBeNull();
    // With 15 others (0.31 %, 160 times less): 66 of them (50 %) is flagged, 65 (49 %) is short of half.
    expect(judged('x', 'numeric', labels, datedFor(labels, 66, 15)).flag?.reason).toBe('filled for 50% of the converted leads and for only 15 of the 4,868 others: probably written when a lead converts');
    expect(judged('x', 'numeric', labels, datedFor(labels, 65, 15)).flag).toBeNull();
  });

  it('does not flag an honest strong segment at the same rate (demo requests, referrals)', () => {
    const labels = convertingOneIn(5000, 38);
    // Requested a demo: 60 % of the converted leads, 5 % of the others (12 times).
    const demo = judged('Requested a demo', 'boolean', labels, Float32Array.from(firstOf(labels, 79, 243), (inGroup) => (inGroup ? 1 : 0)));
    // Referred by a customer: half of the converted leads and 2.5 % of the others (20 times, as the strongest honest segments of real lead data).
    const referral = judged('Lead Source', 'categorical', labels, Float32Array.from(firstOf(labels, 66, 122), (inGroup, row) => (inGroup ? 2 : row % 2)), ['Web', 'Event', 'Referral']);
    const referralDate = judged('Referred On', 'numeric', labels, datedFor(labels, 66, 122));
    for (const honest of [demo, referral, referralDate]) {
      expect(honest.flag, honest.name).toBeNull();
      expect(honest.rocAuc, honest.name).toBeGreaterThan(0.7);
    }
  });
});

describe('logChanceOfAtMost', () => {
  it('is the log of the Poisson chance of a count at most this low, by hand', () => {
    // P(0 | 20) = e^−20; P(≤ 1 | 20) = 21 e^−20; P(≤ 2 | 3) = (1 + 3 + 9/2) e^−3 = 8.5 e^−3.
    expect(logChanceOfAtMost(0, 20)).toBe(-20);
    expect(logChanceOfAtMost(1, 20)).toBeCloseTo(Math.log(21) - 20, 12);
    expect(logChanceOfAtMost(2, 3)).toBeCloseTo(Math.log(8.5) - 3, 12);
    expect(Math.exp(logChanceOfAtMost(0, 9.9))).toBeLessThan(LEAKY_GROUP_CHANCE);
    expect(Math.exp(logChanceOfAtMost(0, 8.91))).toBeGreaterThan(LEAKY_GROUP_CHANCE);
    // Nothing expected: any count is certain.
    expect(logChanceOfAtMost(0, 0)).toBe(0);
    expect(logChanceOfAtMost(3, 0)).toBe(0);
  });

  it('stays finite where the chance itself underflows and expected^k overflows', () => {
    // References summed exactly at 50 digits (mpmath): ln P(≤ 50 | 1,000), ln P(≤ 5,000 | 100,000).
    expect(logChanceOfAtMost(50, 1000)).toBeCloseTo(-803.038764986058827, 9);
    expect(logChanceOfAtMost(5000, 100_000)).toBeCloseTo(-80026.464891285241, 6);
  });
});

describe('knownAfterOutcome', () => {
  it('names the CRM fields written as or after the outcome, whatever their numbers say', () => {
    const known = [
      ...['Status', 'Rating', 'IsConverted', 'ConvertedDate', 'ConvertedAccountId', 'ConvertedContactId', 'ConvertedOpportunityId'],
      ...['LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'LastActivityDate', 'LastViewedDate', 'LastReferencedDate', 'LastTransferDate'],
      ...['lifecyclestage', 'hs_lead_status', 'hs_lifecyclestage_customer_date', 'hs_v2_date_entered_opportunity', 'hs_v2_date_exited_lead', 'hs_date_entered_customer'],
      ...['hs_time_in_opportunity', 'hs_v2_cumulative_time_in_lead', 'num_associated_deals', 'recent_deal_amount', 'recent_deal_close_date', 'total_revenue'],
      ...['days_to_close', 'first_deal_created_date', 'notes_last_contacted', 'notes_last_updated', 'num_contacted_notes', 'hs_last_sales_activity_timestamp'],
      ...['lastmodifieddate', 'hs_lastmodifieddate'],
    ];
    const before = ['Industry', 'LeadSource', 'NumberOfEmployees', 'Title', 'CreatedDate', 'LastName', 'createdate', 'industry', 'hs_analytics_num_visits', 'jobtitle', 'last_activity_at'];
    // Of whichever source: it changes the words only.
    for (const source of SOURCE_KINDS) {
      for (const field of known) expect(knownAfterOutcome(field, source), `${source} ${field}`).toMatch(new RegExp(`^"${field}" is a field the CRM writes as or after the outcome is known: .*conver`));
      for (const field of before) expect(knownAfterOutcome(field, source), `${source} ${field}`).toBeNull();
    }
  });

  it('names HubSpot’s last-engagement dates, stage and customer fields, and predictive or other vendors’ scores', () => {
    const known = [
      ...['hs_analytics_last_visit_timestamp', 'hs_analytics_last_timestamp', 'hs_email_last_open_date', 'hs_email_last_click_date', 'hs_email_last_reply_date'],
      ...['hs_sales_email_last_replied', 'hs_sales_email_last_opened', 'recent_conversion_date', 'engagements_last_meeting_booked', 'hs_latest_meeting_activity'],
      ...['hs_social_last_engagement', 'hs_latest_sequence_enrolled_date', 'hs_latest_qualified_lead_date', 'hs_time_to_move_from_lead_to_customer', 'closedate'],
      ...['hs_feedback_last_nps_rating', 'hs_recent_closed_order_date', 'num_notes', 'hs_predictivecontactscore_v2', 'hs_predictivecontactscore'],
      ...['hs_predictivescoringtier', 'hubspotscore', 'pi__score__c', 'MadKudu_Score__c'],
    ];
    for (const field of known) expect(knownAfterOutcome(field, 'hubspot'), field).toMatch(new RegExp(`^"${field}" is a field the CRM writes as or after the outcome is known: .*conver`));
    expect(knownAfterOutcome('hs_email_last_open_date', 'hubspot')).toMatch(/HubSpot moves it on with each visit, e-mail, meeting or form/);
    expect(knownAfterOutcome('hs_predictivecontactscore_v2', 'hubspot')).toMatch(/learned from past outcomes/);
    // Known before the outcome, or counts that are fair on a new lead (the synced ones are flagged as still changing, not by name).
    const before = [
      ...['hs_analytics_first_visit_timestamp', 'hs_analytics_first_url', 'hs_analytics_last_url', 'hs_email_optout', 'hs_email_domain', 'hs_email_open', 'num_unique_conversion_events'],
      ...['Company_Founded_Date__c', 'Last_Funding_Date__c', 'hs_time_to_first_engagement'],
    ];
    for (const field of before) expect(knownAfterOutcome(field, 'hubspot'), field).toBeNull();
  });

  it("names the lead's owner, by API name and label: a queue, or no owner, is left only on the leads nobody took up, so new leads waiting in one would score cold", () => {
    const owners = [
      ...['OwnerId', 'Owner', 'Owner.Name', 'Lead Owner', 'Lead Owner Name', 'Owner Alias', 'Owner Role', 'Owner_Id__c'],
      ...['hubspot_owner_id', 'Contact owner', 'hubspot_owner_assigneddate', 'Owner assigned date', 'hs_user_ids_of_all_owners', 'User IDs of all owners'],
      ...['hs_all_owner_ids', 'hubspot_team_id', 'HubSpot team', 'hs_all_team_ids', 'hs_all_accessible_team_ids'],
    ];
    for (const source of SOURCE_KINDS) {
      for (const field of owners) {
        expect(knownAfterOutcome(field, source), `${source} ${field}`).toMatch(/a lead's owner changes as the lead is worked, and a queue, or no owner at all, is left only on the leads nobody took up/);
      }
      // An owner of something else is a fact about the lead, as is who created it.
      for (const field of ['Homeowner', 'Business Owner', 'Is Owner', 'Owner Occupied', 'Product Owner', 'CreatedById', 'Account Owner Count']) expect(knownAfterOutcome(field, source), `${source} ${field}`).toBeNull();
    }
  });

  it("names a custom lifecycle stage's dates and times, whose names carry the stage's numeric internal id", () => {
    const customStage = [
      ...['hs_v2_date_entered_1043568283', 'hs_v2_date_exited_1043568283', 'hs_v2_latest_time_in_1043568283', 'hs_v2_cumulative_time_in_1043568283'],
      ...['hs_date_entered_1043568283', 'hs_date_exited_1043568283', 'hs_time_in_1043568283', 'hs_lifecyclestage_1043568283_date', 'hs_time_to_move_from_1043568283_to_customer'],
    ];
    for (const field of customStage) expect(knownAfterOutcome(field, 'hubspot'), field).toMatch(/HubSpot writes it as a contact moves through the lifecycle stages/);
  });

  it('names the fields under the labels CRM exports use as headers, and under any case or punctuation', () => {
    const labels = [
      ...['Lead Status', 'Converted', 'Converted Date', 'Last Activity', 'Last Modified Date', 'Last Modified By', 'System Modstamp', 'Last Viewed Date'],
      ...['Lifecycle Stage', 'Became a Customer Date', 'Became an Opportunity Date', 'Date entered "Customer (Lifecycle Stage Pipeline)"', 'Last Contacted', 'Last Activity Date'],
      ...['Number of Sales Activities', 'Number of times contacted', 'Next Activity Date', 'Last Engagement Date', 'Number of Associated Deals', 'Recent Deal Amount', 'Close Date'],
      ...['Time of Last Session', 'Time Last Seen', 'Last marketing email open date', 'Recent Sales Email Replied Date', 'Recent Conversion Date', 'Likelihood to close', 'HubSpot Score'],
      ...['converted_date', 'LEAD_STATUS', 'Converted_Date__c', 'lifecycle_stage', 'pi__last_activity__c', 'Pardot Last Activity'],
    ];
    for (const label of labels) {
      expect(knownAfterOutcome(label, 'csv')?.startsWith(`"${label}" is a field the CRM writes as or after the outcome is known: `), label).toBe(true);
      expect(knownAfterOutcome(label, 'csv'), label).toMatch(/conver/);
    }
    for (const label of ['Lead Source', 'No. of Employees', 'Create Date', 'Email Opt Out', 'Annual Revenue', 'Last Name', 'Number of Sessions', 'Last Page Seen']) expect(knownAfterOutcome(label, 'csv'), label).toBeNull();
  });

  it("names a call's length, which is known only once the call that decided the outcome was made, and no other time or duration", () => {
    // The bank marketing data's duration (its source says to discard it), a call log's columns, HubSpot's call property, in any unit.
    const callLength = ['duration', 'Duration', 'Call Duration', 'Call Duration (s)', 'call_duration_seconds', 'duration_in_seconds', 'Call Length (min)', 'Talk Time', 'hs_call_duration', 'Last Call Duration'];
    // Known as the lead came in: time on the website (X Education's), a visit's or a contract's length.
    const otherTimes = ['Total Time Spent on Website', 'Page Views Per Visit', 'Session Duration', 'Avg Time on Page', 'Time on Site', 'Contract Duration', 'Duration (months)', 'hs_analytics_average_page_views'];
    for (const source of SOURCE_KINDS) {
      for (const field of callLength) {
        expect(knownAfterOutcome(field, source), `${source} ${field}`).toBe(
          `"${field}" is a field the CRM writes as or after the outcome is known: a call's length is known only once the call that decided the outcome has been made, so on old leads it tells how that call went, converted or not`,
        );
      }
      for (const field of otherTimes) expect(knownAfterOutcome(field, source), `${source} ${field}`).toBeNull();
    }
  });

  it("names a rep's judgement of a lead and its last notable activity, as X Education's export holds them", () => {
    for (const field of ['Lead Quality', 'Lead Profile', 'lead_quality']) {
      expect(knownAfterOutcome(field, 'csv'), field).toBe(
        `"${field}" is a field the CRM writes as or after the outcome is known: sales reps judge a lead's quality and profile as they talk to it and work it, so on old leads their judgement tells how it ended, converted or not`,
      );
    }
    expect(knownAfterOutcome('Last Notable Activity', 'csv')).toMatch(/: the CRM moves it on with each activity, view or transfer, also after a lead converted or was lost$/);
    // What a lead says of itself as it comes in.
    for (const field of ['Lead Origin', 'Lead Source', 'What is your current occupation', 'Specialization']) expect(knownAfterOutcome(field, 'csv'), field).toBeNull();
  });

  it("names a CRM's lead, engagement or predictive score, and leaves any other score to the data", () => {
    const leadScores = [
      ...['Score', 'Lead Score', 'LeadScore', 'lead_score__c', 'Einstein Lead Score', 'Marketo Lead Score', 'Engagement Score', 'Behavior Score', 'Behaviour Score', 'Contact Score'],
      ...['HubSpot Score', 'hubspotscore', 'hs_predictivecontactscore_v2', 'Likelihood to close', 'Contact priority', 'Lead Rating', 'pi__score__c', 'Pardot Score', 'MadKudu_Score__c'],
    ];
    // Facts about the lead as it came in: X Education's Asymmetrique scores (as predictive alone as its other columns), a credit or test score, a vendor's fit score.
    for (const field of ['Asymmetrique Activity Score', 'Asymmetrique Profile Score', 'Credit Score', 'Test Score', 'Fit Score', 'credit_score', 'Score Band']) expect(knownAfterOutcome(field, 'csv'), field).toBeNull();
    for (const field of leadScores) expect(knownAfterOutcome(field, 'csv'), field).toMatch(/: a lead score is worked out from the lead's data as it is today, .* on old leads it already reflects how they ended, converted or not$/);
  });

  it('knows these fields of the demo CRMs', () => {
    const known = (names: readonly string[], source: SourceKind) => names.filter((name) => knownAfterOutcome(name, source) !== null);
    expect(known(SALESFORCE_LEAD_FIELDS.map((field) => field.name), 'salesforce')).toEqual(['OwnerId', 'Status', 'Rating', 'LastActivityDate', 'LastModifiedDate', 'SystemModstamp', 'IsConverted', 'ConvertedDate']);
    expect(known(HUBSPOT_CONTACT_PROPERTIES.map((property) => property.name), 'hubspot')).toEqual(['hubspot_owner_id', 'lifecyclestage', 'hs_lead_status', 'notes_last_updated', 'lastmodifieddate', 'hs_lastmodifieddate']);
  });

  it('names Salesforce only of a Salesforce field: not of a HubSpot property or a file’s column under a name Salesforce also uses', () => {
    const salesforceOnly = /Salesforce/;
    // HubSpot's last activity date, and a file's columns: no word of what a converted Salesforce lead's does.
    expect(knownAfterOutcome('notes_last_updated', 'hubspot')).toBe(
      '"notes_last_updated" is a field the CRM writes as or after the outcome is known: the CRM moves it on with each activity, view or transfer, also after a lead converted or was lost',
    );
    for (const field of ['Last Activity', 'Last Activity Date', 'Status', 'Rating', 'Converted', 'Converted Date']) {
      for (const source of ['hubspot', 'csv'] as const) expect(knownAfterOutcome(field, source), `${source} ${field}`).not.toMatch(salesforceOnly);
    }
    expect(knownAfterOutcome('Status', 'csv')).toBe(
      '"Status" is a field the CRM writes as or after the outcome is known: sales reps set a lead\'s status and rating as they work the lead and close it, so on old leads they tell how it ended, converted or not',
    );
    expect(knownAfterOutcome('Converted Date', 'csv')).toBe('"Converted Date" is a field the CRM writes as or after the outcome is known: the CRM fills it when a lead is converted');
    // A Salesforce field keeps what Salesforce does with it.
    expect(knownAfterOutcome('LastActivityDate', 'salesforce')).toMatch(/\(a converted Salesforce lead's stops at its conversion\)$/);
    expect(knownAfterOutcome('Rating', 'salesforce')).toMatch(/: Salesforce lead status and rating are set by sales reps/);
    expect(knownAfterOutcome('ConvertedDate', 'salesforce')).toMatch(/: Salesforce fills it when a lead is converted$/);
  });
});

describe('bareFieldName', () => {
  it('keeps letters and digits of any script, so names in Japanese, Cyrillic or with accents stay apart', () => {
    expect(['ConvertedDate', 'Converted_Date__c', 'Converted Date', 'converted-date'].map(bareFieldName)).toEqual(Array(4).fill('converteddate'));
    expect(['売上', '従業員数', '会社名'].map(bareFieldName)).toEqual(['売上', '従業員数', '会社名']);
    expect(bareFieldName('Дата_конверсии__c')).toBe('датаконверсии');
    expect(bareFieldName('Größe')).not.toBe(bareFieldName('Grad'));
  });
});

describe('keepsCountingAfterOutcome', () => {
  it('knows HubSpot’s engagement counts and latest values by API name, and not the fields fixed once set', () => {
    const counting = [
      ...['hs_analytics_num_visits', 'hs_analytics_num_page_views', 'hs_analytics_num_event_completions', 'hs_analytics_average_page_views', 'hs_analytics_last_url'],
      ...['num_conversion_events', 'num_unique_conversion_events', 'recent_conversion_event_name', 'hs_email_open', 'hs_email_click', 'hs_email_delivered'],
      ...['hs_email_bounce', 'hs_email_replied', 'hs_latest_source', 'hs_latest_source_data_1', 'engagements_last_meeting_booked_campaign', 'hs_social_linkedin_clicks'],
    ];
    for (const field of counting) expect(keepsCountingAfterOutcome(field), field).toBe(true);
    const fixed = ['hs_analytics_source', 'hs_analytics_first_url', 'hs_analytics_first_visit_timestamp', 'hs_email_optout', 'hs_email_domain', 'first_conversion_event_name', 'industry', 'LeadSource'];
    for (const field of fixed) expect(keepsCountingAfterOutcome(field), field).toBe(false);
  });

  it('knows them under the labels HubSpot’s exports use as headers, in any case or spacing, and not generic names a file may hold as of a lead’s creation', () => {
    const counting = [
      ...['Number of Pageviews', 'Number of Page Views', 'Number of Sessions', 'Number of event completions', 'Average Pageviews', 'Number of Form Submissions'],
      ...['Number of Unique Forms Submitted', 'Recent Conversion', 'Marketing emails opened', 'Marketing emails clicked', 'Marketing emails delivered'],
      ...['Marketing emails bounced', 'Marketing emails replied', 'Sends Since Last Engagement', 'Last marketing email name', 'Last Page Seen', 'Last Referring Site'],
      ...['Latest Traffic Source', 'Latest Traffic Source Drill-Down 1', 'Source of last booking in meetings tool', 'LinkedIn Clicks', 'Broadcast Clicks'],
      ...['Number of sequences enrolled', 'Currently in Sequence', 'NUMBER_OF_SESSIONS', 'number-of-pageviews'],
    ];
    for (const label of counting) expect(keepsCountingAfterOutcome(label), label).toBe(true);
    const fixed = [
      ...['Original Source', 'Original Traffic Source', 'First Page Seen', 'First Referring Site', 'First Conversion', 'Number of Employees', 'Unsubscribed from all email'],
      ...['Email Domain', 'page_views', 'web_visits', 'email_opens', 'email_clicks', 'conversion_events', 'last_page_url', 'Lead Source', 'Industry'],
    ];
    for (const label of fixed) expect(keepsCountingAfterOutcome(label), label).toBe(false);
    // Each label of the demo HubSpot's engagement properties, as its API name is.
    for (const { name, label } of HUBSPOT_CONTACT_PROPERTIES) expect(keepsCountingAfterOutcome(label), label).toBe(keepsCountingAfterOutcome(name));
  });
});
