import { describe, expect, it } from 'vitest';
import { parseNumber, type NumberFormat } from '../derive';
import type { RawRecord } from '../featurize';
import type { Table } from '../../csv/parse';
import { buildFeatures, featurizeAndPrune, inferFeatureSpecs } from './dataset';
import {
  amountCurrency,
  columnCurrencies,
  commaDecimalColumns,
  mixedCurrenciesWarnings,
  noNumberEvidence,
  noteNumbers,
  numberFormats,
  recordsInFileFormat,
  tableInFileFormat,
  withoutCurrency,
} from './number-format';

const columns = ['german', 'decimal', 'us', 'counts', 'postcode', 'ref', 'notes'];
const records: RawRecord[] = [
  { german: '2.713.067', decimal: '1,5', us: '1,234.5', counts: '1,234', postcode: '01067', ref: '12.34.56', notes: 'called 2.713.067 times' },
  { german: '1.234,56', decimal: '0,125', us: '1,234', counts: '5,678', postcode: '10115', ref: '12.34.57', notes: 'n/a' },
  { german: '€ 987', decimal: '2.713,25', us: '$12', counts: '12', postcode: '80331', ref: '1.234', notes: 'left a message' },
  { german: '', decimal: '12,5 %', us: '', counts: '', postcode: '', ref: '', notes: '' },
];

/** The formats and warnings of one column of `cells`, and its cells as rewritten. */
function readColumn(cells: (string | null)[]) {
  const column = cells.map((cell) => ({ value: cell }));
  const evidence = noNumberEvidence(['value']);
  noteNumbers(evidence, column);
  const { formats, warnings } = numberFormats(evidence);
  return { format: formats.get('value') ?? null, warnings, cells: recordsInFileFormat(column, formats).map((record) => record.value) };
}

describe('number-format', () => {
  it('learns each number column its format from the numbers that read one way only, block by block as over the whole table', () => {
    const byBlock = noNumberEvidence(columns);
    for (const record of records) noteNumbers(byBlock, [record]);
    const whole = noNumberEvidence(columns);
    noteNumbers(whole, records);
    expect(byBlock).toEqual(whole);
    const { formats, warnings } = numberFormats(whole);
    // "counts" reads both ways throughout (1,234), "postcode" has no separator: no format. "ref" and "notes" are text.
    expect(formats).toEqual(new Map([['german', 'comma-decimal'], ['decimal', 'comma-decimal'], ['us', 'dot-decimal']]));
    expect(commaDecimalColumns(formats)).toEqual(['german', 'decimal']);
    // In a file that writes decimal commas, "counts" (1,234) could mean 1.234: read as written, with the question.
    expect(warnings).toEqual([expect.stringMatching(/^Column "counts": no number in it shows whether its commas are decimal commas/)]);
  });

  it('rewrites the numbers of a decimal-comma column as plain numbers; keeps the rest as written', () => {
    const evidence = noNumberEvidence(columns);
    noteNumbers(evidence, records);
    const rewritten = recordsInFileFormat(records, numberFormats(evidence).formats);
    expect(rewritten).toEqual([
      { ...records[0], german: '2713067', decimal: '1.5' },
      // 0,125 alone reads as 125 (a thousands comma); its column writes decimal commas.
      { ...records[1], german: '1234.56', decimal: '0.125' },
      { ...records[2], german: '987', decimal: '2713.25' },
      { ...records[3], decimal: '12.5' },
    ]);
    expect(rewritten.map((record) => parseNumber(record.german))).toEqual([2713067, 1234.56, 987, NaN]);
    expect(rewritten.map((record) => parseNumber(record.decimal))).toEqual([1.5, 0.125, 2713.25, 12.5]);
    // Today's reading of the columns with a decimal point or no format: 1,234 is 1234.
    expect(rewritten.map((record) => parseNumber(record.counts))).toEqual([1234, 5678, 12, NaN]);
    expect(recordsInFileFormat(records, new Map())).toBe(records);
    expect(records[0].german).toBe('2.713.067'); // the input is left as it was
  });

  it.each([
    ['German thousands', ['2.713.067', '15.300', '12'], 'comma-decimal', ['2713067', '15300', '12']],
    ['a decimal comma and a thousands dot', ['1.234,56', '(1.000,5)', '2,5k'], 'comma-decimal', ['1234.56', '-1000.5', '2500']],
    ['decimal commas, one with three decimals', ['5,75', '1', null, '7,125', '0,5'], 'comma-decimal', ['5.75', '1', null, '7.125', '0.5']],
    ['a decimal point and thousands commas', ['1,234.5', '1,234', '7'], 'dot-decimal', ['1,234.5', '1,234', '7']],
    ['thousands commas, spaces and currencies', ['$1,200', '12,345,678', '1 234', '7'], 'dot-decimal', ['$1,200', '12,345,678', '1 234', '7']],
    ['numbers that read both ways only', ['1,234', '5,678', '12'], null, ['1,234', '5,678', '12']],
  ] as const)('%s: %j is read %s', (_, cells, format, rewritten) => {
    const read = readColumn([...cells]);
    expect(read.format).toBe(format);
    expect(read.cells).toEqual(rewritten);
    expect(read.warnings).toEqual([]);
  });

  it('keeps text columns with a few numbers in them as written: postcodes, references, notes', () => {
    expect(readColumn(['01067', '10115', '80331'])).toEqual({ format: null, warnings: [], cells: ['01067', '10115', '80331'] });
    // 030.123.456 is no number in either format: no thousands group follows a leading 0.
    expect(readColumn(['030.123.456', '12.34.56', '1.234'])).toEqual({ format: null, warnings: [], cells: ['030.123.456', '12.34.56', '1.234'] });
    // Two codes in 20 cells with digits: a text column, as inferFeatureSpecs would read it (categorical).
    const cells = Array.from({ length: 20 }, (_, i) => (i < 2 ? `REF-${i}` : `${i}.000.000`));
    expect(readColumn(cells)).toEqual({ format: null, warnings: [], cells });
    // One code in 20: a number column, the code kept as written (it reads as missing).
    const numeric = readColumn(cells.slice(1).concat('3.000.000'));
    expect(numeric.format).toBe('comma-decimal');
    expect(numeric.cells.slice(0, 2)).toEqual(['REF-1', '2000000']);
    // Words are no evidence either way (placeholders or notes: the import cannot tell): the numbers still read in their format.
    const withWords = readColumn(Array.from({ length: 20 }, (_, i) => (i < 10 ? 'ask sales' : `${i}.000.000`)));
    expect(withWords.format).toBe('comma-decimal');
    expect(withWords.cells.slice(9, 11)).toEqual(['ask sales', '10000000']);
  });

  it('warns about a number column with both formats, naming them, and keeps it as written', () => {
    const read = readColumn(['1,234.5', '2.713.067', '1.234', '5']);
    expect(read).toEqual({
      format: null,
      warnings: [
        'Column "value" has 1 number written with a decimal point (like 1,234.5) and 1 number written with a decimal comma (like 2.713.067): ' +
          'its numbers are kept as written, and those that read both ways (like 1.234 or 1,234) may be misread. ' +
          'Write them one way (best: 1234.5, with no thousands separators).',
      ],
      cells: ['1,234.5', '2.713.067', '1.234', '5'],
    });
    // Mostly codes: no number column, nothing to say.
    expect(readColumn(['1,234.5', '2.713.067', 'A1', 'B2', 'C3']).warnings).toEqual([]);
  });

  it('warns about a number column whose dots all read both ways, read as decimal points as before', () => {
    expect(readColumn(['12', '1.234', '5.600', '999'])).toEqual({
      format: null,
      warnings: [
        'Column "value": no number in it shows whether its dots are decimal points or thousands separators (like 1.234), ' +
          'so they were read as decimal points (1.234 as 1.234, not 1234). If they separate thousands, write the numbers without them (1234).',
      ],
      cells: ['12', '1.234', '5.600', '999'],
    });
  });

  it('asks about commas that read both ways only in a file that writes decimal commas elsewhere', () => {
    const commasOnly = (extra: Record<string, string>) =>
      tableInFileFormat({ columns: ['weight', ...Object.keys(extra)], records: ['1,085', '2,250', '12'].map((weight) => ({ weight, ...extra })) });
    // A US file: 1,085 is 1085, nothing to ask.
    expect(commasOnly({ price: '1,234.5' })).toMatchObject({ commaDecimalColumns: [], warnings: [] });
    // Beside a decimal-comma column, 1,085 may well be 1.085: still read as written, with the question.
    const german = commasOnly({ price: '1.234,5' });
    expect(german.commaDecimalColumns).toEqual(['price']);
    expect(german.table.records[0]).toEqual({ weight: '1,085', price: '1234.5' });
    expect(german.warnings).toEqual([
      'Column "weight": no number in it shows whether its commas are decimal commas or thousands separators (like 1,085), so they were read as ' +
        'thousands separators (1,085 as 1085), although "price" writes decimal commas. If 1,085 means 1.085, write the numbers with a decimal point (1.085).',
    ]);
  });

  it('reads dots that read both ways as thousands separators in a file that writes decimal commas elsewhere, as decimal points in a dot-decimal file', () => {
    const dotsOnly = (extra: Record<string, string>[]) =>
      tableInFileFormat({
        columns: ['employees', ...Object.keys(extra[0])],
        records: ['1.200', '2.500', '15.000', '12'].map((employees, i) => ({ employees, ...extra[i % extra.length] })),
      });
    const parsed = (read: ReturnType<typeof dotsOnly>) => read.table.records.map((record) => parseNumber(record.employees));
    // A European file: "rating" writes 3,5, so 1.200 is 1200.
    const european = dotsOnly([{ rating: '3,5' }, { rating: '4' }]);
    expect(european.commaDecimalColumns).toEqual(['employees', 'rating']);
    expect(european.warnings).toEqual([]);
    expect(parsed(european)).toEqual([1200, 2500, 15000, 12]);
    // With thousands dots, its commas are decimal commas: 1,085 beside 1.200 is 1.085.
    const withCommas = tableInFileFormat({ columns: ['weight', 'rating'], records: ['1.200', '1,085'].map((weight) => ({ weight, rating: '3,5' })) });
    expect(withCommas).toMatchObject({ commaDecimalColumns: ['weight', 'rating'], warnings: [] });
    expect(withCommas.table.records.map((record) => record.weight)).toEqual(['1200', '1.085']);
    // A dot-decimal file (no decimal commas anywhere): 1.200 is 1.2, as before, with the question about its dots.
    for (const rest of [[{ rating: '3.5' }, { rating: '4' }], [{ rating: '4' }]]) {
      const dotDecimal = dotsOnly(rest);
      expect(dotDecimal.commaDecimalColumns).toEqual([]);
      expect(parsed(dotDecimal)).toEqual([1.2, 2.5, 15, 12]);
      expect(dotDecimal.warnings).toEqual([expect.stringMatching(/^Column "employees": no number in it shows whether its dots are decimal points/)]);
    }
    // The column's own numbers settle it, whatever the rest of the file writes.
    for (const settling of ['1.234.567', '1.200,5']) {
      const own = tableInFileFormat({ columns: ['employees'], records: ['1.200', '2.500', settling].map((employees) => ({ employees })) });
      expect(own.commaDecimalColumns).toEqual(['employees']);
      expect(own.table.records.slice(0, 2)).toEqual([{ employees: '1200' }, { employees: '2500' }]);
    }
    // A dot followed by other than three digits (2.5) is a decimal point: the column writes them, whatever the rest of the file writes.
    const decimals = tableInFileFormat({ columns: ['employees', 'rating'], records: ['1.200', '2.5'].map((employees) => ({ employees, rating: '3,5' })) });
    expect(decimals.commaDecimalColumns).toEqual(['rating']);
    expect(decimals.table.records.map((record) => parseNumber(record.employees))).toEqual([1.2, 2.5]);
  });

  it('asks about dots that read both ways in a file that writes decimal commas in one column and decimal points in another', () => {
    const mixed = tableInFileFormat({
      columns: ['employees', 'rating', 'score'],
      records: ['1.200', '2.500', '15.000'].map((employees) => ({ employees, rating: '3,5', score: '0.75' })),
    });
    expect(mixed.commaDecimalColumns).toEqual(['rating']);
    expect(mixed.table.records.map((record) => parseNumber(record.employees))).toEqual([1.2, 2.5, 15]);
    expect(mixed.warnings).toEqual([
      'Column "employees": no number in it shows whether its dots are decimal points or thousands separators (like 1.200), so they were read as ' +
        'decimal points (1.200 as 1.2, not 1200) as "score" writes them, although "rating" writes decimal commas. ' +
        'If they separate thousands, write the numbers without them (1234).',
    ]);
  });

  it('reads a table held whole, keeping the columns and placeholders asked as written, deciding as the import does', () => {
    const table: Table = {
      columns: ['won', 'revenue'],
      records: Array.from({ length: 20 }, (_, i) => ({ won: i % 2 ? '1,0' : '0,0', revenue: i < 2 ? 'unknown' : `${i}.500,5` })),
    };
    const read = tableInFileFormat(table, { keepAsWritten: ['won'], missingValues: ['unknown'] });
    expect(read.commaDecimalColumns).toEqual(['revenue']);
    expect(read.warnings).toEqual([]);
    expect(read.table.records.slice(1, 3)).toEqual([{ won: '1,0', revenue: 'unknown' }, { won: '0,0', revenue: '2500.5' }]);
    // The import knows no placeholders: it reads the column the same.
    expect(tableInFileFormat(table).table.records[2]).toEqual({ won: '0', revenue: '2500.5' });
    // A placeholder with a separator is kept as written, so that it still means missing.
    const zeros: Table = { columns: ['revenue'], records: [{ revenue: '0,00' }, { revenue: '1.234,5' }, { revenue: '2,5' }] };
    expect(tableInFileFormat(zeros, { missingValues: ['0,00'] }).table.records).toEqual([{ revenue: '0,00' }, { revenue: '1234.5' }, { revenue: '2.5' }]);
  });

  it('lets the trainer read a German column as numbers instead of dropping it as an identifier', () => {
    const german = (n: number) => n.toLocaleString('en-US').replace(/[,.]/g, (separator) => (separator === ',' ? '.' : ','));
    const table: Table = {
      columns: ['revenue', 'converted'],
      records: Array.from({ length: 120 }, (_, i) => ({ revenue: german(100 * i * i + 0.5), converted: String(i % 2) })),
    };
    expect(table.records[100].revenue).toBe('1.000.000,5');
    expect(inferFeatureSpecs(table, 'converted', []).warnings).toEqual([
      'Column "revenue" has 120 distinct values in 120 rows (an identifier or free text?): dropped.',
    ]);
    const read = tableInFileFormat(table, { keepAsWritten: ['converted'] });
    const { specs, warnings } = inferFeatureSpecs(read.table, 'converted', []);
    expect(warnings).toEqual([]);
    expect(specs).toMatchObject([{ key: 'revenue', type: 'numeric', derive: { kind: 'value', from: { csv: 'revenue' } } }]);
    const now = new Date(0);
    const { X } = featurizeAndPrune(buildFeatures(specs, read.table.records, 'csv', now, []), read.table.records, 'csv', now, []);
    expect([X[0], X[2], X[100]]).toEqual([0.5, 400.5, 1_000_000.5]);
  });

  describe('amounts written with a currency parseNumber does not know', () => {
    /** An amount as read without its currency: alone, or in a column's format. */
    const amount = (text: string, format?: NumberFormat) => parseNumber(withoutCurrency(text), [], format);

    it.each([
      ['zł 1 200', undefined, 1200],
      ['1 200 zł', undefined, 1200],
      ['1.200,50 zł', 'comma-decimal', 1200.5],
      ['1\u00a0200,50\u00a0zł', undefined, 1200.5], // pl-PL's no-break spaces
      ['R$ 1.234,56', 'comma-decimal', 1234.56],
      ['₩1,200,000', undefined, 1200000],
      ['1 200 ₽', undefined, 1200],
      ['kr 1 200', undefined, 1200],
      ['kr. 1.200,00', 'comma-decimal', 1200],
      ['1,200 Kč', undefined, 1200],
      ['1,200 Kč', 'comma-decimal', 1.2],
      ['₺1.250,75', 'comma-decimal', 1250.75],
      ['₪ 3,500', undefined, 3500],
      ['150.000 ₫', 'comma-decimal', 150000],
      ['฿1,250.50', undefined, 1250.5],
      ['R 1 500', undefined, 1500],
      ['R1,200', undefined, 1200],
      ['NZ$1,200', undefined, 1200],
      ['SEK 1 200', undefined, 1200],
      ['PLN 2 500,00', undefined, 2500],
      ['RUB 1 200', undefined, 1200],
      ['RM 12.50', undefined, 12.5],
      ['Rs. 1,20,000', undefined, 120000], // Indian grouping
      ['(zł 1 200)', undefined, -1200],
      ['(1 200 zł)', undefined, -1200],
      ['-R$ 5', undefined, -5],
      ['zł −5', undefined, -5],
      // Currencies written in other scripts, as Intl and their countries write them.
      ['1,234.50 ر.س.', undefined, 1234.5], // Saudi riyal
      ['1.234,50 د.م.', 'comma-decimal', 1234.5], // Moroccan dirham
      ['ریال 1,200', undefined, 1200],
      ['ብር 1,234.50', undefined, 1234.5],
      ['नेरू 1,234.50', undefined, 1234.5],
      ['රු. 1,234.50', undefined, 1234.5],
      ['1,200円', undefined, 1200],
      ['1,200元', undefined, 1200],
      ['1,200원', undefined, 1200],
      ['5,000 ر.س', undefined, 5000], // as typed, without the last dot
      ['ريال 1,200', undefined, 1200], // the riyal in Arabic letters, as Arab countries write it
      ['1,200 تومان', undefined, 1200],
      ['रु 1,234.50', undefined, 1234.5],
      ['1,234.50 บาท', undefined, 1234.5],
      ['1,234.50 ש"ח', undefined, 1234.5],
      ['1200円', undefined, 1200], // a currency after plain digits is an amount, as 1200 ₽ is
    ] as const)('%s reads as %s %s', (text, format, want) => {
      expect(parseNumber(text, [], format)).toBeNaN(); // as parseNumber alone reads it
      expect(amount(text, format)).toBe(want);
    });

    it('keeps words and codes as written: no number is made of them', () => {
      // A currency's letters glued to plain digits read as a code (R2, RM10); English words that are ISO codes as labels (TOP 10).
      // A word in another script other than a currency's own (above) is a label: a department, a city, store 3, flat 3, stage 2, a Tu-154,
      // fiscal 2024, December, floor 2; letters glued to plain digits are a code (ر2), in any script. Scale words stay as written too,
      // not read as a smaller number: 500万円 is 5 million yen, 5 тыс. 5 thousand, 5 लाख 500 thousand.
      const labels = ['3号店', 'кв. 3', '第 3', 'שלב 2', 'фаза 2', 'Φάση 2', 'فرع 3', 'ул. 5', 'Ту 154', '2024年度', '12月', '2階', '5층', '3ד'];
      const scaled = ['500万円', '5万', '3億', '5억원', '5만', '5 тыс.', '1,2 млн', '3 млрд', '5 ألف', '5 लाख', '2 करोड़', '10 لاکھ', '12 千'];
      for (const text of ['R2D2', 'R2', 'RM10', 'kr-team', 'Q3 2024', 'TOP 10', 'ALL 3', 'sek 100', 'zł', 'R 2D2', '12 zł 50 gr', 'zł 12/31/2025', 'AB 12', 'Отдел 1', 'Москва 2', 'ر2', '第3四半期', ...labels, ...scaled]) {
        expect(withoutCurrency(text), text).toBe(text);
        expect(amount(text), text).toBeNaN();
      }
      // parseNumber reads a word after a number as a unit (12 days), and kept that reading: 3 pm is 3, as before.
      expect(withoutCurrency('3 pm')).toBe('3 pm');
    });

    // Each pair's currency as Intl writes it there, in letters (ر.س., ریال, ብር, नेरू, රු.) or a sign (₹, ₩, ￥, ₪, ៛, ৳, ؋).
    // Not my-MM: Intl writes the kyat as a Latin K, which parseNumber reads as thousands (1,235 K).
    it.each([
      ['ar', 'SAR'], ['ar-SA', 'SAR'], ['ar-EG', 'EGP'], ['ar-AE', 'AED'], ['ar-MA', 'MAD'], ['ar-DZ', 'DZD'], ['ar-IQ', 'IQD'], ['ar-KW', 'KWD'], ['ar-QA', 'QAR'],
      ['ar-BH', 'BHD'], ['ar-OM', 'OMR'], ['ar-JO', 'JOD'], ['ar-LB', 'LBP'], ['ar-SY', 'SYP'], ['ar-TN', 'TND'], ['ar-LY', 'LYD'], ['ar-YE', 'YER'],
      ['fa-IR', 'IRR'], ['ur-PK', 'PKR'], ['ps-AF', 'AFN'], ['ckb-IQ', 'IQD'], ['am-ET', 'ETB'], ['ne-NP', 'NPR'], ['hi-IN', 'INR'], ['si-LK', 'LKR'],
      ['ja-JP', 'JPY'], ['zh-CN', 'CNY'], ['zh-TW', 'TWD'], ['ko-KR', 'KRW'], ['th-TH', 'THB'], ['he-IL', 'ILS'], ['km-KH', 'KHR'], ['lo-LA', 'LAK'], ['bn-BD', 'BDT'],
    ])("reads an amount as Intl writes it in %s's own currency, %s, in ASCII digits", (locale, currency) => {
      for (const currencyDisplay of ['symbol', 'narrowSymbol'] as const) {
        const format = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay, numberingSystem: 'latn', minimumFractionDigits: 2, maximumFractionDigits: 2 });
        const parts = format.formatToParts(1234.5);
        const decimalComma = parts.find((part) => part.type === 'decimal')?.value === ',';
        // Without the marks that set the text's direction, as a page's text is read (page-values.ts).
        const written = format.format(1234.5).replace(/\p{Cf}/gu, '');
        expect(amount(written, decimalComma ? 'comma-decimal' : undefined), `${written} (${parts.find((part) => part.type === 'currency')?.value})`).toBe(1234.5);
      }
    });

    it('keeps the reading of every value parseNumber reads, the currencies it knows among them', () => {
      const readToday = [
        '$1,200,000', '1,200', ' 3.5 ', '€ 3,5', '25-50', '1000+', '12 days', '12%', '(500)', '1e3', '2.5k', "$1'200'000", "CHF 1'200", 'CHF 1’200’000.50',
        '₹1,20,000', '₹1,23,45,678.50', '$5MM', '1,5 Mio.', '-$1,200.00', '-USD 5', '$−1,200', '1 200 kr', '100 R', '10 TOP', '100 PLN', 'US$ 5', '2,5 lei',
        '1.234,56 €', '-€1.234,5', '2.713.067', '0,125', '1 200,50 €', '1.200,50 PLN', '3 pm',
      ];
      for (const text of readToday) {
        expect(withoutCurrency(text), text).toBe(text);
        for (const format of [undefined, 'dot-decimal', 'comma-decimal'] as const) expect(amount(text, format), `${text} ${format}`).toBe(parseNumber(text, [], format));
      }
    });

    it.each([
      ['Polish amounts, no separator to show a format', ['zł 1 200', 'zł 15 000', '900 zł'], 'dot-decimal', ['1200', '15000', '900']],
      ['Brazilian reais', ['R$ 1.234,56', 'R$ 12,00', 'R$ 1.000.000,00'], 'comma-decimal', ['1234.56', '12', '1000000']],
      ['Korean won', ['₩1,200,000', '₩350,000', '₩0'], 'dot-decimal', ['1200000', '350000', '0']],
      ['Czech crowns with thousands commas', ['1,200 Kč', '3,500 Kč', '12 Kč'], 'dot-decimal', ['1200', '3500', '12']],
      ['Polish decimal commas', ['1.200,50 zł', '99,99 zł', '15 zł'], 'comma-decimal', ['1200.5', '99.99', '15']],
      // A sign, or letters only a currency's own language writes (zł), make any number an amount; a code or Latin letters (SEK, kr) only one written as amounts are.
      // One currency a column: amounts in several are kept as written (see 'amounts in more than one currency').
      ['a sign beside plain numbers', ['₽ 5', '1 200', '₽ 12'], 'dot-decimal', ['5', '1 200', '12']],
      ["letters only a currency's own language writes, beside plain numbers", ['zł 7', '1 200', '12'], 'dot-decimal', ['7', '1 200', '12']],
      ['a code beside an amount', ['SEK 3 000', '12'], 'dot-decimal', ['3000', '12']],
      ['words and codes', ['R2D2', 'kr-team', 'Q3 2024', 'TOP 10'], null, ['R2D2', 'kr-team', 'Q3 2024', 'TOP 10']],
      ['revision codes', ['R1', 'R2', 'R3', 'R12'], null, ['R1', 'R2', 'R3', 'R12']],
    ] as const)('%s: %j is read %s', (_, cells, format, rewritten) => {
      const read = readColumn([...cells]);
      expect(read.format).toBe(format);
      expect(read.cells).toEqual(rewritten);
      expect(read.warnings).toEqual([]);
    });

    it("reads the dots of the Maghreb's dinars and dirham as thousands, as their countries write decimal commas (1.234,50 د.م.), and says so", () => {
      const read = readColumn(['1.500 د.م.', '2.750 د.م', '12 د.م.']);
      expect(read.cells).toEqual(['1500', '2750', '12']);
      expect(read.warnings).toEqual([
        'Column "value": no number in it shows whether its dots are decimal points or thousands separators (like 1.500 د.م.), so they were read as ' +
          'thousands separators, as the countries of its currency write them (1.500 د.م. as 1500, not 1.5). If they are decimal points, write the numbers with a decimal comma (1,5).',
      ]);
      // Tunisia's dinar as well (a column of dirhams and dinars is one of two currencies: kept as written).
      expect(readColumn(['1.500 د.ت.', '12 د.ت']).cells).toEqual(['1500', '12']);
    });

    it('reads dots that read both ways beside a currency as the file writes them, asking as for any column', () => {
      // Israel writes decimal points: the shekel says nothing of the dots.
      const dotDecimal = readColumn(['1.200 ₪', '2.500 ₪', '12 ₪']);
      expect(dotDecimal.cells).toEqual(['1.2', '2.5', '12']);
      expect(dotDecimal.warnings).toEqual([
        'Column "value": no number in it shows whether its dots are decimal points or thousands separators (like 1.200 ₪), ' +
          'so they were read as decimal points (1.200 ₪ as 1.2, not 1200). If they separate thousands, write the numbers without them (1234).',
      ]);
      // The file's decimal commas decide first, with no question.
      const written = ['1.200 zł', '2.500 zł', '12 zł'];
      const european = tableInFileFormat({ columns: ['budget', 'rating'], records: written.map((budget) => ({ budget, rating: '3,5' })) });
      expect(european).toMatchObject({ commaDecimalColumns: ['budget', 'rating'], warnings: [] });
      expect(european.table.records.map((record) => record.budget)).toEqual(['1200', '2500', '12']);
      const commas = tableInFileFormat({ columns: ['budget', 'rating'], records: ['1,085 Kč', '2,250 Kč'].map((budget) => ({ budget, rating: '3,5' })) });
      expect(commas.warnings).toEqual([
        'Column "budget": no number in it shows whether its commas are decimal commas or thousands separators (like 1,085 Kč), so they were read as ' +
          'thousands separators (1,085 Kč as 1085), although "rating" writes decimal commas. If 1,085 means 1.085, write the numbers with a decimal point (1.085).',
      ]);
      expect(commas.table.records.map((record) => record.budget)).toEqual(['1085', '2250']);
    });

    it.each([
      ['an ISO code before a count, a year or a version', ['COP 28', 'SDG 13', 'PHP 8.1', 'CVE 2024', 'AMD 5', 'SVC 2', 'SEK 1200', 'USD 1']],
      ["a currency's Latin letters before a number not written as amounts are", ['R 4.3', 'RM 101', '(RM 101)', 'TL 3', 'Rs 5', 'Ft 3', 'kr 7', 'S/ 100', 'lei 4', '-R 5', '+R 1']],
    ])('keeps %s as written, as before currencies were read: %j', (_, texts) => {
      for (const text of texts) {
        expect(withoutCurrency(text), text).toBe(text);
        for (const format of [undefined, 'dot-decimal', 'comma-decimal'] as const) expect(amount(text, format), `${text} ${format}`).toBe(parseNumber(text, [], format));
      }
    });

    it('reads a code or Latin letters before a number written as amounts are, and a sign or letters of their own before any number', () => {
      const read = {
        'COP 28,000': 28000, 'RM 101.00': 101, 'R 4.30': 4.3, 'TL 1.250,75': 1250.75, 'SEK 1 200': 1200, 'Rs. 1,20,000': 120000, '(RM 1,200)': -1200,
        'zł 7': 7, '7 Kč': 7, 'руб 5': 5, '₽ 5': 5, '₿ 0.5': 0.5, '5 ₿': 5, '(₩101)': -101,
      };
      for (const [text, want] of Object.entries(read)) {
        expect(parseNumber(text), text).toBeNaN();
        expect(amount(text, text.endsWith(',75') ? 'comma-decimal' : undefined), text).toBe(want);
      }
    });

    it.each([
      ['events', ['COP 28', 'Webinar', 'COP 27', 'Trade show', 'COP 26']],
      ['rooms', ['RM 101', 'RM 204', 'RM 12', 'RM 3', '(RM 101)']],
      ['versions', ['PHP 8.1', 'PHP 7.4', 'PHP 8.2']],
      ['ratings', ['R 4.3', 'R 3.9', 'R 5']],
    ])('keeps a column of %s as text: %j', (_, cells) => {
      expect(readColumn(cells)).toEqual({ format: null, warnings: [], cells });
    });

    const thousandsDots = (example: string, thousands: number, decimals: number) =>
      `Column "value": no number in it shows whether its dots are decimal points or thousands separators (like ${example}), so they were read as thousands separators, ` +
      `as the countries of its currency write them (${example} as ${thousands}, not ${decimals}). If they are decimal points, write the numbers with a decimal comma (${String(decimals).replace('.', ',')}).`;

    it.each([
      [['R$ 1.500', 'R$ 25.000', 'R$ 3.200', 'R$ 800'], ['1500', '25000', '3200', '800']],
      [['1.500 Kč', '25.000 Kč', '800 Kč'], ['1500', '25000', '800']],
      [['₽ 1.500', '₽ 12.000'], ['1500', '12000']],
      [['1.200 zł', '2.500 zł', '12 zł'], ['1200', '2500', '12']],
      [['kr. 1.200', 'kr. 12.000'], ['1200', '12000']],
      [['BRL 1.500', 'BRL 25.000'], ['1500', '25000']],
    ])('reads the dots of %j, in a currency whose countries write decimal commas, as thousands separators and says so', (cells, rewritten) => {
      const read = readColumn(cells);
      expect(read.format).toBe('comma-decimal');
      expect(read.cells).toEqual(rewritten);
      expect(read.warnings).toEqual([thousandsDots(cells[0], Number(rewritten[0]), parseNumber(withoutCurrency(cells[0])))]);
    });

    it('reads thousands dots by their currency only where every number with dots is in one, and none with commas reads both ways', () => {
      // Beside a plain 1.500, which parseNumber read before as 1.5, the column is read as before.
      const plain = readColumn(['R$ 1.500', '1.500', 'R$ 800']);
      expect(plain.format).toBe('dot-decimal');
      expect(plain.cells).toEqual(['1.5', '1.500', '800']);
      expect(plain.warnings).toEqual([expect.stringContaining('so they were read as decimal points (R$ 1.500 as 1.5, not 1500)')]);
      // Beside $1.500 or € 1.500, its amounts are in two currencies: kept as written, with their currencies (training leaves the column out).
      for (const other of ['$1.500', '€ 1.500']) expect(readColumn(['R$ 1.500', other, 'R$ 800']), other).toEqual({ format: null, warnings: [], cells: ['R$ 1.500', other, 'R$ 800'] });
      expect(readColumn(['R$ 1.500', 'R$ 1,500', 'R$ 800']).cells).toEqual(['1.5', '1500', '800']);
      // A decimal point the column shows (12.5) decides, as for any column.
      expect(readColumn(['R$ 1.500', 'R$ 12.5'])).toEqual({ format: 'dot-decimal', warnings: [], cells: ['1.5', '12.5'] });
      // A currency parseNumber knows is read as before: € 1.500 as 1.5, asked.
      const euros = readColumn(['€ 1.500', '€ 25.000']);
      expect(euros.cells).toEqual(['€ 1.500', '€ 25.000']);
      expect(euros.warnings).toEqual([expect.stringContaining('so they were read as decimal points (€ 1.500 as 1.5, not 1500)')]);
      // In a file that writes decimal points elsewhere, the real is still read as Brazil writes it.
      const mixed = tableInFileFormat({ columns: ['budget', 'rating'], records: ['R$ 1.500', 'R$ 800'].map((budget) => ({ budget, rating: '3.5' })) });
      expect(mixed.commaDecimalColumns).toEqual(['budget']);
      expect(mixed.table.records.map((record) => record.budget)).toEqual(['1500', '800']);
      expect(mixed.warnings).toEqual([thousandsDots('R$ 1.500', 1500, 1.5).replace('"value"', '"budget"')]);
    });

    it('keeps a placeholder written with a currency as written, and lets the trainer read the column as numbers', () => {
      const table: Table = {
        columns: ['budget', 'converted'],
        records: Array.from({ length: 40 }, (_, i) => ({ budget: i === 0 ? 'zł 0' : `zł ${i} 000`, converted: String(i % 2) })),
      };
      const read = tableInFileFormat(table, { keepAsWritten: ['converted'], missingValues: ['zł 0'] });
      expect(read.table.records.slice(0, 3).map((record) => record.budget)).toEqual(['zł 0', '1000', '2000']);
      expect(inferFeatureSpecs(table, 'converted', ['zł 0']).specs).toMatchObject([{ key: 'budget', type: 'categorical' }]);
      expect(inferFeatureSpecs(read.table, 'converted', ['zł 0']).specs).toMatchObject([{ key: 'budget', type: 'numeric' }]);
    });
  });
});

describe("number-format's warnings on the model card", () => {
  it('are worded without the numbers of the file they quote: the card goes with the model', () => {
    const worded = (table: Table) => {
      const { warnings, warningsWithoutValues } = tableInFileFormat(table);
      return warnings.map((warning) => warningsWithoutValues.get(warning));
    };
    expect(worded({ columns: ['amount'], records: ['1,5', '2.75', '3', '4'].map((amount) => ({ amount })) })).toEqual([
      'Column "amount" has 1 number written with a decimal point and 1 number written with a decimal comma: its numbers are kept as written, ' +
        'and those that read both ways (like 1.234 or 1,234) may be misread. Write them one way (best: 1234.5, with no thousands separators).',
    ]);
    expect(worded({ columns: ['budget'], records: ['R$ 1.500', 'R$ 800'].map((budget) => ({ budget })) })).toEqual([
      'Column "budget": no number in it shows whether its dots are decimal points or thousands separators, so they were read as thousands separators, ' +
        'as the countries of its currency write them. If they are decimal points, write the numbers with a decimal comma.',
    ]);
    expect(worded({ columns: ['employees', 'rating', 'score'], records: ['1.200', '2.500', '15.000'].map((employees) => ({ employees, rating: '3,5', score: '0.75' })) })).toEqual([
      'Column "employees": no number in it shows whether its dots are decimal points or thousands separators, so they were read as decimal points ' +
        'as "score" writes them, although "rating" writes decimal commas. If they separate thousands, write the numbers without them (1234).',
    ]);
    expect(worded({ columns: ['weight', 'price'], records: ['1,085', '2,250', '12'].map((weight) => ({ weight, price: '1.234,5' })) })).toEqual([
      'Column "weight": no number in it shows whether its commas are decimal commas or thousands separators, so they were read as thousands separators, ' +
        'although "price" writes decimal commas. If they are decimal commas, write the numbers with a decimal point.',
    ]);
  });
});

describe('number-format: amounts in more than one currency', () => {
  /** The warning of a column `column` of amounts in `counted` currencies, most cells first. */
  const mixed = (column: string, counted: string) =>
    `Column "${column}" holds amounts in ${counted.split(/, | and /).length} currencies (${counted}): read as numbers, an amount in one would count as the same amount in another, ` +
    `so the column is left out of training. Use a column with every amount converted to one currency instead, such as a Salesforce report's converted amount ("${column} (converted)").`;

  it.each([
    ['JPY 74,693,100.00', 'JPY'],
    ['USD 38977', 'USD'],
    ['$1,200', '$'],
    ['1.2M usd', 'usd'],
    ['zł 1 200', 'zł'],
    ['1.200,50 zł', 'zł'],
    ['R$ 1.234,56', 'R$'],
    ['₩1,200,000', '₩'],
    ['SEK 1 200', 'SEK'],
    ['1,200', null],
    ['COP 28', null], // a label, not an amount (see withoutCurrency)
    ['R2D2', null],
    ['USD', null],
  ])('reads the currency of %j as %j, as parseNumber or withoutCurrency take it off', (text, currency) => expect(amountCurrency(text)).toBe(currency));

  it('tells currencies apart as written, an ISO code in any case, a word with a last dot or in the plural, and US dollars written any way as one', () => {
    expect([...columnCurrencies(['USD 1,200.00', 'usd 5', '1.2M USD', '$12', null, 'n/a', '12', 7]).values()]).toEqual([{ name: 'USD', cells: 4 }]);
    expect(columnCurrencies(['$1,200', 'USD 38,977.00', '$5MM', 'US$ 3', '10 dollars']).size).toBe(1);
    expect(columnCurrencies(['1 200 kr', '1 200 kr.', '5 Kr', '10 dollars', '1 dollar']).size).toBe(2);
    expect(columnCurrencies(['USD 0', 'EUR 5'], ['USD 0']).size).toBe(1); // a placeholder is no amount
  });

  it("keeps a column of amounts in several currencies as written, and says so when it is a number column, naming them, most cells first", () => {
    // A multi-currency Salesforce org's report: each lead's amount in its own currency.
    const salesforce = ['USD 38,977.00', 'JPY 74,693,100.00', 'USD 477,946.00', 'EUR 1,234.50', 'USD 228,355.00', 'JPY 12,000,000.00'];
    const evidence = noNumberEvidence(['revenue', 'notes']);
    noteNumbers(
      evidence,
      salesforce.map((revenue, i) => ({ revenue, notes: i < 2 ? ['budget USD 5,000', 'budget EUR 5,000'][i] : 'none' })),
    );
    const { formats, warnings } = numberFormats(evidence);
    expect(formats).toEqual(new Map());
    expect(warnings).toEqual([]); // nothing of its dots and commas: it is read as no number
    // A column of text with an amount or two in it is no number column: categories, whatever their currency.
    expect(mixedCurrenciesWarnings(evidence)).toEqual([mixed('revenue', 'USD in 3 rows, JPY in 2 and EUR in 1')]);
    // Rewritten, the amounts would have lost their currencies: zł 1 200 and Kč 1 200 both 1200.
    expect(readColumn(['zł 1 200', '1 200 Kč', 'zł 15 000'])).toEqual({ format: null, warnings: [], cells: ['zł 1 200', '1 200 Kč', 'zł 15 000'] });
  });

  it('leaves such a column out of training on a file (the training command), saying why', () => {
    const currencies = ['zł', 'Kč', 'USD'];
    const table = {
      columns: ['converted', 'budget', 'employees'],
      records: Array.from({ length: 60 }, (_, i) => ({ converted: String(i % 2), budget: `${currencies[i % 3]} ${(1000 * (i + 1)).toLocaleString('en-US')}`, employees: String(10 + (i % 7)) })),
    };
    const read = tableInFileFormat(table, { keepAsWritten: ['converted'] });
    expect(read.warnings).toEqual([]);
    expect(read.table.records[0].budget).toBe('zł 1,000');
    const { specs, warnings } = inferFeatureSpecs(read.table, 'converted', []);
    expect(specs.map((spec) => spec.key)).toEqual(['employees']);
    expect(warnings).toEqual([mixed('budget', 'zł in 20 rows, Kč in 20 and USD in 20')]);
  });
});
