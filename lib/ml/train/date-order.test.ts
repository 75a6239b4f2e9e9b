import { describe, expect, it } from 'vitest';
import { parseDate } from '../derive';
import type { RawRecord } from '../featurize';
import { TrainingDataError } from './errors';
import { dateOrders, dayFirstColumns, noDateEvidence, noteDates, recordsInFileOrder, tableInFileOrder } from './date-order';

const columns = ['id', 'visited', 'renewal', 'us_date', 'signed_up', 'notes'];
const records: RawRecord[] = [
  { id: 'A', visited: '31/12/2025', renewal: '31-12-2025 14:30', us_date: '12/31/2025', signed_up: '12-31-2025', notes: 'called 13/01/2026' },
  { id: 'B', visited: '03/04/2025', renewal: '03-04-2025', us_date: '03/04/2025', signed_up: '03-04-2025', notes: 'left a message' },
  { id: 'C', visited: '', renewal: 'n/a', us_date: '', signed_up: '', notes: '' },
];

describe('date-order', () => {
  it('learns each date column its order from the dates that read one way only, block by block as over the whole table', () => {
    const byBlock = noDateEvidence(columns);
    for (const record of records) noteDates(byBlock, [record]);
    const whole = noDateEvidence(columns);
    noteDates(whole, records);
    expect(byBlock).toEqual(whole);
    const { orders, warnings } = dateOrders(whole);
    // "notes" has one date in two filled cells: not a date column.
    expect(orders).toEqual(new Map([['visited', 'day-first'], ['renewal', 'day-first'], ['us_date', 'month-first'], ['signed_up', 'month-first']]));
    expect(dayFirstColumns(orders)).toEqual(['visited', 'renewal']);
    expect(warnings).toEqual([]);
  });

  it('rewrites day-first dates, and month-first ones parseDate cannot read, as ISO; keeps the rest as written', () => {
    const evidence = noDateEvidence(columns);
    noteDates(evidence, records);
    const rewritten = recordsInFileOrder(records, dateOrders(evidence).orders);
    expect(rewritten[0]).toEqual({ ...records[0], visited: '2025-12-31', renewal: '2025-12-31T14:30:00', signed_up: '2025-12-31' });
    expect(rewritten[1]).toEqual({ ...records[1], visited: '2025-04-03', renewal: '2025-04-03', signed_up: '2025-03-04' });
    expect(rewritten[2]).toEqual(records[2]);
    expect(parseDate(rewritten[1].visited)).toBe(Date.UTC(2025, 3, 3));
    expect(recordsInFileOrder(records, new Map())).toBe(records);
  });

  it('learns the order of dates with a zone after their time, and rewrites them with its offset; a zone of no known offset stays as written', () => {
    const zoned: RawRecord[] = [{ seen: '13/03/2026 09:14 GMT+1' }, { seen: '01/03/2026 09:14 GMT+1' }, { seen: '05/02/2026 10:00 EST' }, { seen: '05/02/2026 10:00 MEZ' }, { seen: '13-03-2026 09:14 UTC' }];
    const { table, dayFirstColumns: dayFirst, warnings } = tableInFileOrder({ columns: ['seen'], records: zoned });
    expect(dayFirst).toEqual(['seen']);
    expect(warnings).toEqual([]);
    expect(table.records.map((record) => record.seen)).toEqual([
      '2026-03-13T09:14:00+01:00',
      '2026-03-01T09:14:00+01:00',
      '2026-02-05T10:00:00-05:00',
      '05/02/2026 10:00 MEZ',
      '2026-03-13T09:14:00+00:00',
    ]);
    expect(table.records.map((record) => parseDate(record.seen))).toEqual([Date.UTC(2026, 2, 13, 8, 14), Date.UTC(2026, 2, 1, 8, 14), Date.UTC(2026, 1, 5, 15), NaN, Date.UTC(2026, 2, 13, 9, 14)]);
  });

  it('refuses both orders in the created date column, and warns about them in another', () => {
    const evidence = noDateEvidence(['created', 'met']);
    noteDates(evidence, [
      { created: '31/12/2025', met: '31/12/2025' },
      { created: '12/30/2025', met: '12/30/2025' },
    ]);
    expect(() => dateOrders(evidence, 'created')).toThrow(TrainingDataError);
    expect(() => dateOrders(evidence, 'created')).toThrow(/^The created date column "created" has 1 date written day first \(like 31\/12\/2025\)/);
    const { orders, warnings } = dateOrders(evidence);
    expect(orders.size).toBe(0);
    expect(warnings).toEqual([
      expect.stringMatching(/^Column "created" has 1 date written day first .* kept as written/),
      expect.stringMatching(/^Column "met" has 1 date written day first .* kept as written/),
    ]);
  });

  it('reads a table held whole in its columns\' orders, with the warnings of those it cannot tell', () => {
    const table = {
      columns: ['visited', 'due'],
      records: [
        { visited: '24/10/2026', due: '03-04-2025' },
        { visited: '01/02/2026', due: '05-06-2025' },
      ],
    };
    const read = tableInFileOrder(table);
    expect(read.table).toEqual({ columns: ['visited', 'due'], records: [{ visited: '2026-10-24', due: '03-04-2025' }, { visited: '2026-02-01', due: '05-06-2025' }] });
    expect(read.dayFirstColumns).toEqual(['visited']);
    expect(read.warnings).toEqual([
      'Column "due": every date in it reads both day first and month first (like 03-04-2025), so they could not be read. ' +
        'Written as YYYY-MM-DD, they would read one way only.',
    ]);
    expect(table.records[0].visited).toBe('24/10/2026'); // the input is left as it was
  });

  it('says how dates with a zone after their time that all read both ways were read, quoting them as written', () => {
    const zoned: RawRecord[] = [
      // Salesforce's export: slashes are read month first, at the zone's offset.
      { opened: '11/03/2026 9:14 AM EST', seen: '05.02.2026 10:00 GMT+1', met: '05/02/2026 10:00 MEZ', created: '11/03/2026 9:14 AM PST' },
      { opened: '02/05/2026 4:20 PM EST', seen: '01.02.2026 11:00 GMT+1', met: '01/02/2026 11:00 MEZ', created: '' },
    ];
    const either = (column: string) => `Column "${column}": every date in it reads both day first and month first (like ${zoned[0][column]}), so they`;
    const read = tableInFileOrder({ columns: ['opened', 'seen', 'met', 'created'], records: zoned });
    expect(read.warnings).toEqual([
      `${either('opened')} were read month first. Written as YYYY-MM-DD, they would read one way only.`,
      `${either('seen')} were read day first. Written as YYYY-MM-DD, they would read one way only.`,
      // A zone of no known offset: no date to parseDate.
      `${either('met')} could not be read. Written as YYYY-MM-DD, they would read one way only.`,
      `${either('created')} were read month first. Written as YYYY-MM-DD, they would read one way only.`,
    ]);
    expect(read.table.records).toEqual(zoned);
    expect(parseDate(zoned[0].opened)).toBe(Date.UTC(2026, 10, 3, 14, 14));
    // The CSV import's created date column: kept as written, with the same warning.
    const evidence = noDateEvidence(['created']);
    noteDates(evidence, zoned);
    expect(dateOrders(evidence, 'created')).toEqual({ orders: new Map(), warnings: [read.warnings[3]], warningsWithoutValues: new Map([[read.warnings[3], read.warningsWithoutValues.get(read.warnings[3])]]) });
  });

  it('words each warning without the dates it quotes too, for the model card: a birth date column\'s dates are no example there', () => {
    const born = ['24/10/1985', '03/15/1990', '01/02/1979', '12/11/1980'];
    const read = tableInFileOrder({ columns: ['Date of Birth', 'met'], records: born.map((date, i) => ({ 'Date of Birth': date, met: ['03-04-2025', '05-06-2025'][i % 2] })) });
    expect(read.warnings).toEqual([
      'Column "Date of Birth" has 1 date written day first (like 24/10/1985) and 1 date written month first (like 03/15/1990): its dates are kept as written, ' +
        'and those that read both ways may be misread. Write them in one order (or as YYYY-MM-DD).',
      'Column "met": every date in it reads both day first and month first (like 03-04-2025), so they could not be read. Written as YYYY-MM-DD, they would read one way only.',
    ]);
    expect(read.warnings.map((warning) => read.warningsWithoutValues.get(warning))).toEqual([
      'Column "Date of Birth" has 1 date written day first and 1 date written month first: its dates are kept as written, ' +
        'and those that read both ways may be misread. Write them in one order (or as YYYY-MM-DD).',
      'Column "met": every date in it reads both day first and month first, so they could not be read. Written as YYYY-MM-DD, they would read one way only.',
    ]);
    // The created date column's refusal stays with the admin: it quotes them.
    const evidence = noDateEvidence(['created']);
    noteDates(evidence, born.map((created) => ({ created })));
    expect(() => dateOrders(evidence, 'created')).toThrow(/^The created date column "created" has 1 date written day first \(like 24\/10\/1985\) and 1 date written month first \(like 03\/15\/1990\)/);
  });

  it('quotes the start of a long date in its warnings', () => {
    // A numeric date may have any run of spaces before its time.
    const spaced = (date: string) => `${date}${' '.repeat(1000)}14:30`;
    const evidence = noDateEvidence(['created', 'met']);
    noteDates(evidence, [
      { created: spaced('31/12/2025'), met: spaced('03/04/2025') },
      { created: spaced('12/30/2025'), met: '05/06/2025' },
    ]);
    const both = 'has 1 date written day first (like 31/12/2025…) and 1 date written month first (like 12/30/2025…)';
    expect(() => dateOrders(evidence, 'created')).toThrow(
      new TrainingDataError(`The created date column "created" ${both}, so a date such as 03/04/2025 in it could be either. Write its dates in one order (or as YYYY-MM-DD) and import again.`),
    );
    expect(dateOrders(evidence).warnings).toEqual([
      `Column "created" ${both}: its dates are kept as written, and those that read both ways may be misread. Write them in one order (or as YYYY-MM-DD).`,
      'Column "met": every date in it reads both day first and month first (like 03/04/2025…), so they were read month first. Written as YYYY-MM-DD, they would read one way only.',
    ]);
  });
});
