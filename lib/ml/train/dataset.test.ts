/**
 * Training data checks on small hand-made tables: the target read ignoring case and spaces,
 * ragged rows and unclosed quotes named by data row, a header read as one column, columns named
 * like Object's own properties, numeric columns with a few stray notes, date columns with a few
 * dates written in a form not read, Excel's trailing empty columns and `sep=` line, and folds that
 * need more rows of a class than the data has. (A column's decimal commas: number-format.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { featurizeRecords, type RawRecord } from '../featurize';
import {
  buildFeatures,
  buildLabels,
  checkFolds,
  featurizeAndPrune,
  inferFeatureSpecs,
  parseCsv,
  TooManyFoldsError,
  TrainingDataError,
  UnclosedQuotedCellError,
  type Table,
} from './dataset';

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

  it('asks for two values straight away when there are more and no positive value is given (naming one would not do)', () => {
    const table = tableOf(200, { converted: (i) => (i === 3 ? 'maybe' : i % 4 === 0 ? '1' : '0') });
    expect(() => buildLabels(table, 'converted')).toThrow(
      new TrainingDataError('The target column "converted" has 3 values: "0" (149), "1" (50), "maybe" (1); training needs two, converted and not converted. Map it to two values first.'),
    );
    const stages = tableOf(70, { stage: (i) => `stage ${i % 7}` });
    expect(() => buildLabels(stages, 'stage')).toThrow(
      'The target column "stage" has 7 values: "stage 0" (10), "stage 1" (10), "stage 2" (10), "stage 3" (10), "stage 4" (10) and 2 more; training needs two',
    );
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

describe('parseCsv refuses a quoted cell that is never closed, naming the row that opens it', () => {
  const refusal = (row: string) =>
    `${row} opens a quoted cell (with ") that is never closed, so everything after it, to the end of the file, would be read as that one cell. ` +
    'Add the missing closing quote, or remove the opening one.';

  it('instead of reading the rest of the file into that cell', () => {
    const csv = 'id,note\nA-1,fine\nA-2,"forgot to close\nA-3,lost\nA-4,lost too\n';
    expect(() => parseCsv(csv)).toThrow(new UnclosedQuotedCellError(2));
    expect(() => parseCsv(csv)).toThrow(refusal('Data row 2'));
    expect(() => parseCsv(new TextEncoder().encode(csv), { sep: ',' })).toThrow(refusal('Data row 2')); // as the training command reads a file
  });

  it('counts rows as ragged rows are counted, and names the header', () => {
    expect(() => parseCsv('id;note\n\nA;"two\nlines"\n\nB;"open\nC;x\n')).toThrow(refusal('Data row 2'));
    expect(() => parseCsv('id,"note\nA-1,x\n')).toThrow(refusal('The header row'));
  });

  it('still reads quotes that close, and a stray quote with nothing after it', () => {
    expect(parseCsv('id,note\nA,"say ""hi"",\nthen go"\n').records).toEqual([{ id: 'A', note: 'say "hi",\nthen go' }]);
    expect(parseCsv('id,note\nA,x\n"\n').records).toEqual([{ id: 'A', note: 'x' }]);
  });
});

describe('parseCsv: a header read as one column', () => {
  it('says what it was split at and what the file seems to hold, without naming a command-line flag', () => {
    expect(() => parseCsv('a;b;c\n1;2;3\n', { sep: ',' })).toThrow(
      new TrainingDataError('The CSV header has only one column ("a;b;c") when its cells are split at commas, and at least two are needed. The file seems to separate its cells with semicolons, not commas.'),
    );
    expect(() => parseCsv('a,b\n1,2\n', { sep: '\t' })).toThrow(/split at tabs, .*seems to separate its cells with commas, not tabs\.$/);
    expect(() => parseCsv('email\nada@example.com\n')).toThrow(
      new TrainingDataError('The CSV header has only one column ("email") when its cells are split at commas, and at least two are needed. A file with more columns must separate its cells with commas, semicolons or tabs.'),
    );
  });
});

describe('parseCsv: columns named like Object\'s own properties', () => {
  const rows = Array.from({ length: 60 }, (_, i) => `L-${i},${['web', 'event', 'partner'][i % 3]},${i % 7},${i % 2}`);
  const table = parseCsv(['id,__proto__,constructor,converted', ...rows].join('\n'));

  it('keeps them as ordinary columns of every record', () => {
    expect(Object.keys(table.records[0])).toEqual(['id', '__proto__', 'constructor', 'converted']);
    expect(table.records[1]['__proto__']).toBe('event');
    expect(table.records[1]['constructor']).toBe('1');
  });

  it('trains on them like any column', () => {
    const { specs } = inferFeatureSpecs(table, 'converted', ['id']);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([
      ['__proto__', 'categorical'],
      ['constructor', 'numeric'],
    ]);
    const now = new Date(0);
    const { features, X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now), table.records, 'csv', now, []);
    expect(features[0].vocabulary).toEqual(['event', 'partner', 'web', '(other)']);
    expect([X[2], X[3]]).toEqual([0, 1]); // row 1: "event", 1
  });

  it('reads a column the file lacks as missing, even when Object has a property of that name', () => {
    const warnings: string[] = [];
    const spec = { key: 'to_string', label: 'toString', type: 'numeric' as const, derive: { kind: 'value' as const, from: { csv: 'toString' } }, missingValues: [], actionable: false };
    const now = new Date(0);
    expect(() => featurizeAndPrune(buildFeatures([spec], table.records, 'csv', now), table.records, 'csv', now, warnings)).toThrow('No usable feature is left');
    expect(warnings).toEqual(['"toString" is missing in every row: dropped.']);
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

describe('inferFeatureSpecs: dates with a few written in a form not read', () => {
  const DAY = 86_400_000;
  const converted = (i: number) => String(i % 2);
  const isoDay = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY).toISOString().slice(0, 10);

  it('reads a column of mostly dates as days since instead of dropping it as an identifier', () => {
    // as a CRM export's "Last Touch": 1,280 distinct dates in 3,231 cells, one written as words
    const table = tableOf(3231, { 'Last Touch': (i) => (i === 5 ? 'Sep 19, 2026' : isoDay(i % 1280)), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type, spec.derive.kind])).toEqual([['Days since Last Touch', 'numeric', 'daysSince']]);
    expect(warnings).toEqual([
      'Column "Last Touch" is read as dates; 1 value(s) in it are not dates in a form LeadLens reads and read as missing: "Sep 19, 2026". ' +
        'Write dates as YYYY-MM-DD (e.g. 2026-09-19) to have them read.',
    ]);
  });

  it('quotes up to 3 of the unread values, and reads them as missing in training and in scoring alike', () => {
    const unread: Record<number, string> = { 7: 'Sep 19, 2026', 8: '11-Jun-26', 9: '3/4/26', 10: 'Sep 19, 2026', 11: 'Oct 2, 2026' };
    const table = tableOf(200, { 'Last Touch': (i) => unread[i] ?? isoDay(i), converted });
    const { specs, warnings, latestDate } = inferFeatureSpecs(table, 'converted', []);
    expect(warnings).toEqual([
      'Column "Last Touch" is read as dates; 5 value(s) in it are not dates in a form LeadLens reads and read as missing: "Sep 19, 2026", "11-Jun-26", "3/4/26". ' +
        'Write dates as YYYY-MM-DD (e.g. 2026-09-19) to have them read.',
    ]);
    expect(latestDate).toBe(Date.UTC(2026, 0, 1) + 199 * DAY); // from the dates read only
    const now = new Date(latestDate!);
    const { features, X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now, []), table.records, 'csv', now, []);
    expect([X[7], X[12]]).toEqual([NaN, 187]);
    const scored = featurizeRecords([{ 'Last Touch': 'Sep 20, 2026' }, { 'Last Touch': isoDay(190) }], features, 'csv', now);
    expect([...scored]).toEqual([NaN, 9]);
  });

  it('reads a column half or less of dates as categories, and says why and how to have it read as dates when half are', () => {
    // repeated values: kept as categories
    const few = tableOf(60, { 'Last Touch': (i) => (i % 2 ? isoDay(i % 5) : `Jan ${(i % 5) + 1}, 2026`), converted });
    const inferred = inferFeatureSpecs(few, 'converted', []);
    expect(inferred.specs.map((spec) => [spec.label, spec.type])).toEqual([['Last Touch', 'categorical']]);
    const advice = 'To have it read as dates (days since), write its dates as YYYY-MM-DD (e.g. 2026-09-19) and leave the cells without a date empty.';
    expect(inferred.warnings).toEqual([
      'Column "Last Touch" is not read as dates: only 30 of its 60 values are dates, and the others, such as "Jan 1, 2026", "Jan 3, 2026", "Jan 5, 2026", ' +
        `are not dates in a form LeadLens reads. It is read as categories instead. ${advice}`,
    ]);
    // nearly one value per row: dropped, said as the same problem rather than as an identifier
    const many = tableOf(200, { 'Last Touch': (i) => (i % 2 ? isoDay(i) : `Day ${i}`), converted });
    const dropped = inferFeatureSpecs(many, 'converted', []);
    expect(dropped.specs).toEqual([]);
    expect(dropped.warnings).toEqual([
      'Column "Last Touch" is not read as dates: only 100 of its 200 values are dates, and the others, such as "Day 0", "Day 2", "Day 4", ' +
        `are not dates in a form LeadLens reads. It is dropped instead (too many distinct values for categories). ${advice}`,
    ]);
    // text with a few dates in it: categories, with no word of dates
    const text = tableOf(60, { stage: (i) => (i % 10 === 0 ? isoDay(i % 3) : ['new', 'working', 'nurture'][i % 3]), converted });
    const stage = inferFeatureSpecs(text, 'converted', []);
    expect(stage.specs.map((spec) => [spec.label, spec.type])).toEqual([['stage', 'categorical']]);
    expect(stage.warnings).toEqual([]);
  });
});

describe("parseCsv: Excel's trailing empty columns", () => {
  it('drops columns at the end that are empty in the header and in every row', () => {
    expect(parseCsv('a,b,,\n1,2,,\n3,4,,\n')).toEqual({ columns: ['a', 'b'], records: [{ a: '1', b: '2' }, { a: '3', b: '4' }] });
    expect(parseCsv('a;b; ;\r\n1;2;;\r\n', { sep: ';', newline: '\r\n' }).columns).toEqual(['a', 'b']);
  });

  it('still counts the dropped cells in a row, as the header has them', () => {
    expect(() => parseCsv('a,b,,\n1,2,,\n3,4\n')).toThrow(/1 CSV row\(s\) have a different number of cells than the header's 4 \(first: data row 2\)/);
  });

  it('refuses a column with no name in the middle, or at the end when it holds values, saying which and what to do', () => {
    expect(() => parseCsv('a,,c\n1,,3\n')).toThrow(
      new TrainingDataError('The CSV header has an empty column name (column 2), and that column is empty in every row. Name the column in the header row, or delete the column.'),
    );
    expect(() => parseCsv('a,b,,\n1,2,,\n3,4,x,\n')).toThrow(
      new TrainingDataError('The CSV header has an empty column name (column 3), and that column holds values (first in data row 2). Name the column in the header row, or delete the column.'),
    );
  });
});

describe("parseCsv: Excel's separator line", () => {
  it('reads a first line sep=X as the separator and skips it', () => {
    expect(parseCsv('sep=;\na;b\n1,5;2\n')).toEqual({ columns: ['a', 'b'], records: [{ a: '1,5', b: '2' }] });
    expect(parseCsv(new TextEncoder().encode('\uFEFFsep=\t\r\na\tb\r\n1\t2\r\n')).records).toEqual([{ a: '1', b: '2' }]);
    expect(parseCsv('sep=;\na;b\n1;2\n', { sep: ';' }).columns).toEqual(['a', 'b']);
  });

  it('numbers data rows from the header after it', () => {
    expect(() => parseCsv('sep=;\na;b\n1;2\n3\n')).toThrow(/header's 2 \(first: data row 2\)/);
  });

  it('refuses a separator given that the line contradicts, saying how to resolve it', () => {
    expect(() => parseCsv('sep=;\na,b\n1,2\n', { sep: ',' })).toThrow(
      new TrainingDataError(
        'The file\'s first line, "sep=;", says its cells are separated by semicolons, but commas were given as the separator. ' +
          'Delete that line if the file separates its cells with commas, or give semicolons as the separator.',
      ),
    );
  });
});

describe("buildFeatures keeps the page labels of the levels the model learns", () => {
  it("drops labels of values pooled as '(other)' or never seen, and a CRM's labels when none is left", () => {
    const table = tableOf(40, { hs_analytics_source: (i) => (i < 35 ? 'SOCIAL_MEDIA' : 'PAID_SOCIAL') });
    const spec = {
      key: 'lead_source', label: 'Lead source', type: 'categorical' as const, missingValues: [], actionable: false,
      derive: {
        kind: 'value' as const,
        from: { hubspot: 'hs_analytics_source', salesforce: 'LeadSource' },
        optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social', PAID_SOCIAL: 'Paid Social', OFFLINE: 'Offline Sources' }, salesforce: { Web: 'Website' } },
      },
    };
    const [feature] = buildFeatures([spec], table.records, 'hubspot', new Date('2026-11-01T00:00:00Z'));
    expect(feature.vocabulary).toEqual(['SOCIAL_MEDIA', '(other)']);
    expect(feature.derive).toEqual({ kind: 'value', from: spec.derive.from, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } });
  });
});
