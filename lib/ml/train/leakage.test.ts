import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { leakageReport, type LeakageColumn } from './leakage';

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
    expect(contract.flag?.reason).toMatch(/filled mostly for converted leads \(9\d % of them, \d+ % of the others\)/);
  });

  it('flags a column filled mostly for leads that did not convert', () => {
    const disqualified = finding('disqualified_date');
    expect(disqualified.fillRatePositives).toBe(0);
    expect(disqualified.flag?.reason).toMatch(/filled mostly for leads that did not convert \(\d+ % of them, 0 % of the converted\)/);
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
