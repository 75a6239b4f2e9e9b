/**
 * Training data checks on small hand-made tables: the target read ignoring case and spaces,
 * ragged rows named by data row, numeric columns with a few stray notes, and folds that need
 * more rows of a class than the data has. (A column's decimal commas: number-format.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../featurize';
import { buildFeatures, buildLabels, checkFolds, featurizeAndPrune, inferFeatureSpecs, parseCsv, TooManyFoldsError, type Table } from './dataset';

/** A table of `n` rows: column name → the cell of row i. */
function tableOf(n: number, cells: Record<string, (i: number) => string>): Table {
  const records: RawRecord[] = Array.from({ length: n }, (_, i) => Object.fromEntries(Object.entries(cells).map(([col, cell]) => [col, cell(i)])));
  return { columns: Object.keys(cells), records };
}

describe('buildLabels reads target values trimmed and ignoring case', () => {
  const spellings = ['Yes', 'yes', ' yes ', 'YES'];
  const table = tableOf(60, { converted: (i) => (i % 3 === 0 ? spellings[i % 4] : i % 2 ? 'No' : 'no ') });
  const converted = table.records.filter((_, i) => i % 3 === 0).length;

  it('finds the positive value among spellings of yes / no', () => {
    const { labels, positive, negative } = buildLabels(table, 'converted');
    expect(labels.reduce((a, b) => a + b, 0)).toBe(converted);
    expect(labels[0]).toBe(1);
    expect(labels[1]).toBe(0);
    expect([positive, negative]).toEqual(['Yes', 'No']); // as first written
  });

  it('matches --positive in any case', () => {
    expect(buildLabels(table, 'converted', ' yes').labels.reduce((a, b) => a + b, 0)).toBe(converted);
    expect(buildLabels(table, 'converted', 'NO').labels.reduce((a, b) => a + b, 0)).toBe(60 - converted);
  });

  it('still tells a third value apart', () => {
    const three = tableOf(60, { converted: (i) => (i % 3 === 0 ? 'Yes' : i % 3 === 1 ? 'no' : 'Maybe') });
    expect(() => buildLabels(three, 'converted')).toThrow(/"Yes" \(20\), "no" \(20\), "Maybe" \(20\)/);
    expect(() => buildLabels(three, 'converted', 'YES')).toThrow('other than the positive "Yes" and one negative');
  });
});

describe('checkFolds', () => {
  const labels = Uint8Array.from({ length: 60 }, (_, i) => (i < 12 ? 1 : 0));
  it('allows as many folds as the smaller class has rows', () => expect(() => checkFolds(labels, 12)).not.toThrow());
  it('says what more folds need, in folds (the app has no --cv flag)', () => {
    expect(() => checkFolds(labels, 13)).toThrow('Cross-validation in 13 folds needs at least 13 converted and 13 other rows; the data has 12 converted. Use at most 12 folds.');
    expect(() => checkFolds(labels, 100)).toThrow(/at least 100 converted and 100 other rows; the data has 12 converted and 48 other\./);
    expect(() => checkFolds(labels, 13)).toThrow(TooManyFoldsError);
  });
});

describe('parseCsv names ragged rows by data row', () => {
  it('counts a quoted line break as part of its row and a blank line as no row', () => {
    const csv = 'id,note,n\nA,"two\nlines",1\n\nB,"x",2\nC,3\n';
    expect(() => parseCsv(csv)).toThrow(/1 CSV row\(s\) have a different number of cells than the header's 3 \(first: data row 3\)/);
  });
});

describe('inferFeatureSpecs: LeadLens scores written back to the CRM', () => {
  it('drops them, as Salesforce fields (namespaced too) and HubSpot properties, with a warning; keeps look-alikes', () => {
    const score = (i: number) => String(i % 100);
    const table = tableOf(100, { LeadLens_Score__c: score, acme__LeadLens_Tier__c: (i) => (i % 2 ? 'Hot' : 'Cold'), leadlens_reason: (i) => `reason ${i % 7}`, leadlenses_owned: score, converted: (i) => String(i % 2) });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['leadlenses_owned']);
    expect(warnings).toEqual(['LeadLens_Score__c', 'acme__LeadLens_Tier__c', 'leadlens_reason'].map((col) => `Column "${col}" holds a LeadLens score written back to the CRM, not a fact about the lead: dropped.`));
  });
});

describe('inferFeatureSpecs: numbers with a few stray notes', () => {
  const typeOf = (table: Table, col: string) => inferFeatureSpecs(table, 'converted', []).specs.find((s) => s.label === col)?.type;
  const converted = (i: number) => String(i % 2);

  it('keeps a column numeric when ≥ 95 % of its values are numbers, and names the others in a warning', () => {
    const notes = ['unknown', 'ask sales', 'unknown', 'tbd', 'later'];
    // 200 distinct numbers: as categories this column would be dropped as an identifier
    const table = tableOf(200, { revenue: (i) => (i % 40 === 7 ? notes[(i - 7) / 40] : String(1000 + i)), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.find((s) => s.label === 'revenue')?.type).toBe('numeric');
    expect(warnings).toEqual(['Column "revenue" is read as numbers; 5 value(s) in it are not numbers and read as missing: "unknown", "ask sales", "tbd".']);
    const now = new Date(0);
    const { X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now, []), table.records, 'csv', now, []);
    expect(X[7]).toBeNaN();
    expect(X[8]).toBe(1008);
  });

  it('keeps a column of numbers numeric without a warning, and one with 10 % text categorical', () => {
    const clean = tableOf(100, { visits: (i) => String(i % 9), converted });
    expect(typeOf(clean, 'visits')).toBe('numeric');
    expect(inferFeatureSpecs(clean, 'converted', []).warnings).toEqual([]);
    const mixed = tableOf(100, { size: (i) => (i % 10 === 0 ? 'large' : String(i % 4)), converted });
    expect(typeOf(mixed, 'size')).toBe('categorical');
  });
});
