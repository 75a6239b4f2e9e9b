import Papa from 'papaparse';
import { describe, expect, it, vi } from 'vitest';
import type { ScoredLeadRow } from '../segments';
import type { StoredLead } from '../db/db';
import { tierOf } from '../ml/score';
import { parseDate } from '../ml/derive';
import type { TierThresholds } from '../ml/train/thresholds';
import { formatThreshold, percentWithTiers } from '../presentation';
import { EXPORT_COLUMNS, escapeCell, leadsToExport, localeSeparator, scoresCsv, type ScoresCsvOptions } from './export';
import { fileText } from './file-text';
import { importCsv, type CsvMapping, type LeadSink } from './import';

// Counted, to show the thresholds' written form is worked out once per file, not once per lead.
vi.mock('../presentation', async (importOriginal) => {
  const presentation = await importOriginal<typeof import('../presentation')>();
  return { ...presentation, percentWithTiers: vi.fn(presentation.percentWithTiers) };
});

const row = (overrides: Partial<ScoredLeadRow>): ScoredLeadRow => ({
  leadKey: 'salesforce|00Q5g0000000001AAA',
  source: 'salesforce',
  recordId: '00Q5g0000000001AAA',
  name: 'Ada Lovelace',
  owner: 'Dana Whitfield',
  leadSource: 'Web',
  createdAt: Date.UTC(2026, 2, 14),
  outcome: null,
  probability: 0.123456,
  score: 87,
  tier: 'hot',
  topReason: 'Title seniority: VP Sales',
  ...overrides,
});

describe('escapeCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `'=HYPERLINK("http://evil.example","x")`],
    ['+1 555 0100', `'+1 555 0100`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    // A leading tab or carriage return is escaped whatever follows it.
    ['\tabc', `'\tabc`],
    ['\rabc', `'\rabc`],
    // A negative number starts with `-` as a formula does: escaped, as it always was.
    ['-5', `'-5`],
    ['\n=HYPERLINK("http://evil.example","x")', `'\n=HYPERLINK("http://evil.example","x")`],
    ['\nAda', `'\nAda`],
    ['\uFF1D1+1', `'\uFF1D1+1`],
    ['\uFF0B1 555 0100', `'\uFF0B1 555 0100`],
    ['\uFF0D2+3', `'\uFF0D2+3`],
    ['\uFF20SUM(A1)', `'\uFF20SUM(A1)`],
    [' =1+1', `' =1+1`],
    ['   @SUM(A1)', `'   @SUM(A1)`],
    ['\u00A0=1+1', `'\u00A0=1+1`],
    ['\u00A0 \uFF1D1+1', `'\u00A0 \uFF1D1+1`],
    [' -5', `' -5`],
  ])('prefixes %j so a spreadsheet shows it as text', (cell, escaped) => {
    expect(escapeCell(cell)).toBe(escaped);
  });

  it.each(['Ada Lovelace', 'a=b', '', "'already", '12', ' Ada', '\u00A0Ada', 'Ada =1', '5-3', 'Ada\n=1', 'ＡＤＡ'])('leaves %j as it is', (cell) => {
    expect(escapeCell(cell)).toBe(cell);
  });
});

describe('leadsToExport', () => {
  const own = row({ leadKey: 'salesforce|own', recordId: 'own' });
  const demoSalesforce = row({ leadKey: 'salesforce|demo-1', recordId: 'demo-1' });
  const demoHubspot = row({ leadKey: 'hubspot|demo-2', source: 'hubspot', recordId: 'demo-2' });
  const imported = row({ leadKey: 'csv|row-1', source: 'csv', recordId: 'row-1' });

  it('leaves out a source’s demo leads once it has leads of its own, and says how many', () => {
    // Three stored leads, one of them unscored and Demo mode's.
    expect(leadsToExport([own, demoSalesforce], { total: 3, demoKeys: ['salesforce|demo-1', 'salesforce|demo-3'] })).toEqual({ rows: [own], demoLeftOut: 2 });
  });

  it('leaves out the other CRM’s demo leads too, and every one of them beside an imported file (Demo mode stores none under a file)', () => {
    const demoKeys = ['salesforce|demo-1', 'hubspot|demo-2'];
    expect(leadsToExport([own, demoSalesforce, demoHubspot], { total: 3, demoKeys })).toEqual({ rows: [own], demoLeftOut: 2 });
    expect(leadsToExport([demoSalesforce, imported, demoHubspot], { total: 3, demoKeys })).toEqual({ rows: [imported], demoLeftOut: 2 });
  });

  it('exports the demo leads while they are all that is stored, and every lead when none is Demo mode’s', () => {
    expect(leadsToExport([demoSalesforce, demoHubspot], { total: 2, demoKeys: ['salesforce|demo-1', 'hubspot|demo-2'] })).toEqual({
      rows: [demoSalesforce, demoHubspot],
      demoLeftOut: 0,
    });
    expect(leadsToExport([own, imported], { total: 2, demoKeys: [] })).toEqual({ rows: [own, imported], demoLeftOut: 0 });
  });
});

/** The tier thresholds a file is written for unless a test gives others: hot from 50 %, warm from 10 %. */
const halfAndTenth: TierThresholds = { hot: 0.5, warm: 0.1 };

/** The file `scoresCsv` writes (for an American English browser and `halfAndTenth` unless told), as bytes. */
const fileBytes = async (rows: readonly ScoredLeadRow[], options: Partial<ScoresCsvOptions> = {}) =>
  new Uint8Array(await (await scoresCsv(rows, { locale: 'en-US', tiers: halfAndTenth, ...options })).arrayBuffer());

/** The file's text, its byte-order mark kept (a decoder drops it unless told not to). */
const csvText = async (rows: readonly ScoredLeadRow[], options?: Partial<ScoresCsvOptions>) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await fileBytes(rows, options));

describe('scoresCsv', () => {
  it('writes one row per lead with the export columns only', async () => {
    const parsed = Papa.parse<string[]>((await csvText([row({})])).trim());
    expect(parsed.data).toEqual([
      [...EXPORT_COLUMNS],
      ['salesforce', '00Q5g0000000001AAA', 'Ada Lovelace', 'Dana Whitfield', 'Web', '2026-03-14T00:00:00.000Z', '87', 'hot', '0.1235', 'Title seniority: VP Sales'],
    ]);
  });

  it('writes a reason as plain text, without the direction isolates a pair reason carries for LeadLens’s pages', async () => {
    const [, cells] = Papa.parse<string[]>((await csvText([row({ topReason: 'Industry × Employees: \u2068تعليم\u2069 · \u2068not known\u2069' })])).trim()).data;
    expect(cells[9]).toBe('Industry × Employees: تعليم · not known');
  });

  it('says which way a top reason moves the odds, as no ▲ or ▼ can in a cell: a warm lead’s can be its strongest reason down', async () => {
    const rows = [
      row({ tier: 'hot', topReason: 'Title seniority: VP Sales', topReasonRaises: true }),
      row({ tier: 'warm', topReason: 'Industry: Engineering', topReasonRaises: false }),
      row({ tier: 'cold', topReason: '' }),
    ];
    const [, ...cells] = Papa.parse<string[]>((await csvText(rows)).trim()).data;
    expect(cells.map((lead) => lead[9])).toEqual(['Title seniority: VP Sales (raises the odds)', 'Industry: Engineering (lowers the odds)', '']);
  });

  it('writes a lead source as the CRM’s pages word it, by the word it is given', async () => {
    const labels: Record<string, string> = { SOCIAL_MEDIA: 'Organic Social' };
    const csv = await csvText([row({ leadSource: 'SOCIAL_MEDIA' }), row({ leadSource: 'Web' })], { leadSourceWord: (value) => labels[value] ?? value });
    const [, ...cells] = Papa.parse<string[]>(csv.trim()).data;
    expect(cells.map((lead) => lead[4])).toEqual(['Organic Social', 'Web']);
  });

  it('starts with the byte-order mark spreadsheets read UTF-8 by, names and all', async () => {
    const csv = await csvText([row({ name: 'José Núñez' })]);
    expect(csv.startsWith('\uFEFF"source"')).toBe(true);
    expect(csv).toContain('"José Núñez"');
  });

  it('escapes formula cells in every text column, quoting what needs quotes', async () => {
    const hostile = '=cmd|\' /C calc\'!A0';
    const csv = await csvText([row({ name: hostile, owner: '@owner', leadSource: '+Web', topReason: '-1, "quoted"' })]);
    const [, cells] = Papa.parse<string[]>(csv.trim()).data;
    expect(cells[2]).toBe(`'${hostile}`);
    expect(cells[3]).toBe("'@owner");
    expect(cells[4]).toBe("'+Web");
    expect(cells[9]).toBe(`'-1, "quoted"`);
    // No cell of the file starts a formula.
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('escapes a formula after a line feed, spaces or a no-break space, and a full-width one, keeping the value whole', async () => {
    const hostile = { name: '\n=HYPERLINK("http://evil.example","x")', owner: '\uFF1D1+1', leadSource: ' =1+1', topReason: '\u00A0@SUM(A1)' };
    const [, cells] = Papa.parse<string[]>((await csvText([row(hostile)])).trim()).data;
    expect([cells[2], cells[3], cells[4], cells[9]]).toEqual([`'${hostile.name}`, `'${hostile.owner}`, `'${hostile.leadSource}`, `'${hostile.topReason}`]);
  });

  it.each([
    ['en-US', ','],
    ['de-DE', ';'],
  ] as const)('starts no formula in a spreadsheet that reads the file with either separator (a %s file is written with %j)', async (locale, written) => {
    /**
     * The cells of a line as a spreadsheet reads it with `sep`: a quote toggles quoting (`""`
     * inside quotes is a quote), and the separator splits only outside quotes.
     */
    const cellsWith = (line: string, sep: string) => {
      const cells = [''];
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === '"') {
          if (quoted && line[i + 1] === '"') cells[cells.length - 1] += line[i++];
          else quoted = !quoted;
        } else if (line[i] === sep && !quoted) cells.push('');
        else cells[cells.length - 1] += line[i];
      }
      return cells;
    };
    const csv = await csvText([row({ name: 'Ada;=1+2', owner: 'Dana,@SUM(A1:A9)', topReason: "Title;-2+3,+cmd|' /C calc'!A0" })], { locale });
    const line = csv.split('\r\n')[1];
    for (const sep of [';', ',']) for (const cell of cellsWith(line, sep)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Read with the separator written, the values come back whole.
    const [, cells] = Papa.parse<string[]>(csv.trim(), { delimiter: written }).data;
    expect([cells[2], cells[3], cells[9]]).toEqual(['Ada;=1+2', 'Dana,@SUM(A1:A9)', "Title;-2+3,+cmd|' /C calc'!A0"]);
  });

  it("writes an imported file's created date without a zone, as the file wrote it, and a CRM's as a moment in UTC", async () => {
    // A Salesforce report's `11/29/2026 6:45 AM`, its exporter's clock (Los Angeles: 14:45 UTC), read as if UTC.
    const fileCreated = parseDate('11/29/2026 6:45 AM');
    const [, fileLead, crmLead] = Papa.parse<string[]>((await csvText([row({ source: 'csv', createdAt: fileCreated }), row({})])).trim()).data;
    expect(fileLead[5]).toBe('2026-11-29T06:45:00.000');
    expect(parseDate(fileLead[5])).toBe(fileCreated);
    expect(crmLead[5]).toBe('2026-03-14T00:00:00.000Z');
  });

  it('leaves an unknown creation date empty', async () => {
    const [, cells] = Papa.parse<string[]>((await csvText([row({ createdAt: 0 })])).trim()).data;
    expect(cells[5]).toBe('');
  });

  describe('written a chunk at a time', () => {
    // Formulas, quotes, separators and line breaks in every text column, over several chunks.
    const hostileRows = [
      row({ name: '=HYPERLINK("http://evil.example","x")', owner: 'Dana "the closer" Whitfield' }),
      row({ recordId: '00Q2', name: 'Line\r\nbreak', leadSource: '+Web', topReason: '-1, "quoted"' }),
      row({ recordId: '00Q3', name: '\n@SUM(A1)', owner: '\uFF1D1+1', createdAt: 0 }),
      row({ recordId: '00Q4', name: 'José Núñez 🚀', topReason: 'Industry × Employees: \u2068تعليم\u2069 · \u2068not known\u2069' }),
      row({ recordId: '00Q5', name: 'Ada;=1+2', owner: '\t=1', probability: 0.99999 }),
      row({ recordId: '00Q6', name: '', owner: '', leadSource: '', topReason: '' }),
      row({ recordId: '00Q7', name: ' -5', tier: 'cold', score: 3 }),
    ];

    it('writes the same file, byte for byte, whatever the number of leads a chunk holds, formulas still escaped', async () => {
      const atOnce = await fileBytes(hostileRows, { rowsPerChunk: hostileRows.length });
      for (const rowsPerChunk of [1, 2, 3, 6, 7, 50]) expect(await fileBytes(hostileRows, { rowsPerChunk })).toEqual(atOnce);
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(atOnce);
      expect(text.startsWith('\uFEFF"source"')).toBe(true);
      expect(text.endsWith('"\r\n')).toBe(true);
      const [header, ...lines] = Papa.parse<string[]>(text.slice(1).trimEnd()).data;
      expect(header).toEqual([...EXPORT_COLUMNS]);
      expect(lines.map((cells) => [cells[1], cells[2], cells[3]])).toEqual([
        ['00Q5g0000000001AAA', `'=HYPERLINK("http://evil.example","x")`, 'Dana "the closer" Whitfield'],
        ['00Q2', 'Line\r\nbreak', 'Dana Whitfield'],
        ['00Q3', `'\n@SUM(A1)`, `'\uFF1D1+1`],
        ['00Q4', 'José Núñez 🚀', 'Dana Whitfield'],
        ['00Q5', 'Ada;=1+2', `'\t=1`],
        ['00Q6', '', ''],
        ['00Q7', `' -5`, 'Dana Whitfield'],
      ]);
    });

    it('is a UTF-8 CSV file', async () => {
      expect((await scoresCsv(hostileRows, { locale: 'en-US', tiers: halfAndTenth })).type).toBe('text/csv;charset=utf-8');
    });

    it('lets the page run between its chunks', async () => {
      // A timer that re-arms itself: it runs only when the export lets the event loop turn.
      let turns = 0;
      let exporting = true;
      const countTurn = () => {
        if (!exporting) return;
        turns += 1;
        setTimeout(countTurn, 0);
      };
      setTimeout(countTurn, 0);
      await scoresCsv(hostileRows, { locale: 'en-US', tiers: halfAndTenth, rowsPerChunk: 3 });
      exporting = false;
      // Three chunks: the page ran after the first and after the second.
      expect(turns).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('the probability beside the tier thresholds', () => {
  /** The tier and probability cells `scoresCsv` writes for leads of `probabilities` under `tiers`, each tiered by them as a scoring does. */
  async function tierAndProbability(probabilities: readonly number[], tiers: TierThresholds, options: Partial<ScoresCsvOptions> = {}) {
    const rows = probabilities.map((probability, index) => row({ recordId: `00Q${index}`, probability, tier: tierOf(probability, tiers) }));
    const [, ...lines] = Papa.parse<string[]>((await csvText(rows, { tiers, ...options })).slice(1).trimEnd(), { delimiter: options.separator ?? ',' }).data;
    return lines.map((cells) => [cells[7], cells[8]]);
  }

  it('writes a warm lead just under "hot from 25 %" below 0.25, and a hot one just over "hot from 3.333 %" at or above 0.03333', async () => {
    expect(formatThreshold(0.25)).toBe('25%');
    // 0.249996 to four decimals is 0.2500: hot, in a spreadsheet comparing it with 0.25
    expect(await tierAndProbability([0.249996], { hot: 0.25, warm: 0.1 })).toEqual([['warm', '0.2499']]);
    expect(formatThreshold(0.03333)).toBe('3.333%');
    // 0.03334 to four decimals is 0.0333: below 0.03333
    expect(await tierAndProbability([0.03334], { hot: 0.03333, warm: 0.01 })).toEqual([['hot', '0.03334']]);
    // with the decimal comma too
    expect(await tierAndProbability([0.03334], { hot: 0.03333, warm: 0.01 }, { separator: ';' })).toEqual([['hot', '0,03334']]);
  });

  it('works out the thresholds’ written form once per file, not once per lead', async () => {
    vi.mocked(percentWithTiers).mockClear();
    await fileBytes(
      Array.from({ length: 5 }, (_, index) => row({ recordId: `00Q${index}`, probability: index / 5 })),
      { rowsPerChunk: 2 },
    );
    expect(percentWithTiers).toHaveBeenCalledTimes(1);
  });

  it('keeps four decimals, trailing zeros and all, where they already read on the lead’s side', async () => {
    expect(await tierAndProbability([0.5, 0.123456, 0.03125, 0.00002, 1], halfAndTenth)).toEqual([
      ['hot', '0.5000'],
      ['warm', '0.1235'],
      ['cold', '0.0313'],
      ['cold', '0.0000'],
      ['hot', '1.0000'],
    ]);
  });

  it('is a fraction of four decimals or more, true of the lead, that gives the lead’s tier compared with the thresholds, near any threshold', async () => {
    // Thresholds the admin reads as they are (`formatThreshold`), so that comparing with either is the same.
    // 0.07, 0.14, 0.28, 0.2836 and 0.55 times 100 come out just over the figure (55.00000000000001).
    const thresholds = [0, 0.00005, 0.0003, 0.0012, 0.008, 0.01, 0.0235, 0.025, 0.03333, 0.07, 0.0999, 0.1, 0.1032, 0.14, 0.2345, 0.25, 0.28, 0.2836, 0.3141, 0.5, 0.5004, 0.55, 0.9925, 0.996, 1];
    for (const threshold of thresholds) expect(Number.parseFloat(formatThreshold(threshold)), `${threshold}`).toBeCloseTo(threshold * 100, 9);
    const offsets = [-0.01, -0.001, -0.0001, -0.00001, -0.000004, -1e-7, 0, 1e-7, 0.000004, 0.00001, 0.0001, 0.001, 0.01];
    let checked = 0;
    for (const hot of thresholds) {
      for (const warm of thresholds.filter((threshold) => threshold < hot)) {
        const tiers = { hot, warm };
        const probabilities = [hot, warm].flatMap((threshold) => offsets.map((offset) => threshold + offset)).filter((p) => p >= 0 && p <= 1);
        const cells = await tierAndProbability(probabilities, tiers);
        probabilities.forEach((p, index) => {
          const [tier, written] = cells[index];
          const why = `p = ${p}, hot ${hot}, warm ${warm}: ${tier}, ${written}`;
          expect(written, why).toMatch(/^[01]\.\d{4,}$/);
          const decimals = written.split('.')[1].length;
          expect(Math.abs(Number(written) - p), why).toBeLessThan(10 ** -decimals);
          expect(tierOf(Number(written), tiers), why).toBe(tier);
          checked++;
        });
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('gives the lead’s tier compared with the thresholds as the admin reads them, where they are written rounded', async () => {
    expect(formatThreshold(0.826212402898818)).toBe('82.62%');
    // a warm lead of 82.6197 % was 0.82620: no fewer than two decimals of percent, and rounded toward 82.6212 % alone
    expect(await tierAndProbability([0.826197], { hot: 0.826212402898818, warm: 0.5 })).toEqual([['warm', '0.82619']]);
    expect(await tierAndProbability([0.54996], { hot: 0.55, warm: 0.2 })).toEqual([['warm', '0.5499']]);
    const thresholds = [0.0007, 0.066, 0.07, 0.14, 0.28, 0.2836, 0.500396, 0.500404, 0.55, 0.56, 0.826212402898818, 0.9925];
    /** A figure in percent as it reads, the fraction's decimals moved two places: exactly, as a spreadsheet compares "0.8262" with 82.62 %. */
    const inPercent = (fraction: string) => Number((Number(fraction) * 100).toFixed(10));
    /** A threshold as written, as the fraction a spreadsheet reads it as (82.62 % is 0.8262). */
    const asFraction = (percent: number) => Number((percent / 100).toFixed(12));
    const offsets = [-0.001, -0.0001, -0.00002, -0.00001, -0.000004, -1e-7, -1e-12, 0, 1e-7, 0.000004, 0.00001, 0.0001];
    let checked = 0;
    for (const hot of thresholds) {
      for (const warm of thresholds.filter((threshold) => threshold < hot && formatThreshold(threshold) !== formatThreshold(hot))) {
        const tiers = { hot, warm };
        const probabilities = [hot, warm].flatMap((threshold) => offsets.map((offset) => threshold + offset)).filter((p) => p >= 0 && p <= 1);
        const cells = await tierAndProbability(probabilities, tiers);
        probabilities.forEach((p, index) => {
          const [tier, written] = cells[index];
          const why = `p = ${p}, hot ${formatThreshold(hot)} (${hot}), warm ${formatThreshold(warm)} (${warm}): ${tier}, ${written}`;
          expect(Math.abs(Number(written) - p), why).toBeLessThan(10 ** -written.split('.')[1].length);
          for (const threshold of [hot, warm]) {
            const writtenThreshold = Number.parseFloat(formatThreshold(threshold));
            if (p >= threshold) expect(inPercent(written), why).toBeGreaterThanOrEqual(writtenThreshold);
            // A lead below a threshold but not below it as written (50.0402 % under 50.0404 %, "50.04 %") has no true figure that reads below it.
            else if (p < asFraction(writtenThreshold)) expect(inPercent(written), why).toBeLessThan(writtenThreshold);
            checked++;
          }
        });
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });
});

describe('the separator of the browser’s language', () => {
  it.each(['de-DE', 'fr-FR', 'it-IT', 'es-ES', 'nl-NL', 'pt-BR', 'ru-RU'])('is a semicolon in %s, which writes decimal commas', (locale) => {
    expect(localeSeparator(locale)).toBe(';');
  });

  it.each(['en-US', 'en-GB', 'ja-JP', 'zh-CN', 'ko-KR'])('is a comma in %s, which writes decimal points', (locale) => {
    expect(localeSeparator(locale)).toBe(',');
  });

  const lines = async (options: Partial<ScoresCsvOptions>) => (await csvText([row({})], options)).slice(1).split('\r\n');

  it('separates cells with semicolons and writes decimal commas for a German browser', async () => {
    expect(await lines({ locale: 'de-DE' })).toEqual([
      EXPORT_COLUMNS.map((column) => `"${column}"`).join(';'),
      '"salesforce";"00Q5g0000000001AAA";"Ada Lovelace";"Dana Whitfield";"Web";"2026-03-14T00:00:00.000Z";"87";"hot";"0,1235";"Title seniority: VP Sales"',
      '',
    ]);
  });

  it('separates cells with commas and writes decimal points for an American browser', async () => {
    expect(await lines({ locale: 'en-US' })).toEqual([
      EXPORT_COLUMNS.map((column) => `"${column}"`).join(','),
      '"salesforce","00Q5g0000000001AAA","Ada Lovelace","Dana Whitfield","Web","2026-03-14T00:00:00.000Z","87","hot","0.1235","Title seniority: VP Sales"',
      '',
    ]);
  });

  it('follows the separator the admin chose over the language’s, decimal mark and all', async () => {
    expect((await lines({ locale: 'de-DE', separator: ',' }))[1]).toContain('"87","hot","0.1235","Title');
    expect((await lines({ locale: 'en-US', separator: ';' }))[1]).toContain('"87";"hot";"0,1235";"Title');
    expect(await fileBytes([row({})], { locale: 'de-DE', separator: ',' })).toEqual(await fileBytes([row({})], { locale: 'en-US' }));
    expect(await fileBytes([row({})], { locale: 'en-US', separator: ';' })).toEqual(await fileBytes([row({})], { locale: 'de-DE' }));
    // None chosen: the language's.
    expect(await fileBytes([row({})], { locale: 'fr-FR', separator: null })).toEqual(await fileBytes([row({})], { locale: 'de-DE' }));
  });

  it('quotes a cell holding the separator, a quote or a line break, so a semicolon file reads back whole', async () => {
    const awkward = { name: 'Lovelace;\r\nAda', owner: 'Dana "the closer"', topReason: 'Title; VP Sales, EMEA' };
    const [, cells] = Papa.parse<string[]>((await csvText([row(awkward)], { locale: 'de-DE' })).slice(1).trimEnd(), { delimiter: ';' }).data;
    expect([cells[2], cells[3], cells[9]]).toEqual([awkward.name, awkward.owner, awkward.topReason]);
  });

  it('writes the same semicolon file, byte for byte, whatever the number of leads a chunk holds', async () => {
    const rows = [row({}), row({ recordId: '00Q2', name: 'Lovelace; Ada', probability: 0.5 }), row({ recordId: '00Q3', name: '=1+2', probability: 1 })];
    const atOnce = await fileBytes(rows, { locale: 'de-DE', rowsPerChunk: rows.length });
    for (const rowsPerChunk of [1, 2]) expect(await fileBytes(rows, { locale: 'de-DE', rowsPerChunk })).toEqual(atOnce);
  });

  describe('imported again as a CSV file of leads', () => {
    /** Keeps the leads an import stores, in memory. */
    function memorySink() {
      const staged = new Map<string, StoredLead>();
      const sink: LeadSink = {
        discard: async () => staged.clear(),
        stage: async (leads) => void leads.forEach((lead) => staged.set(lead.key, lead)),
        stagedCount: async () => staged.size,
        commit: async () => ({ added: staged.size, updated: 0, removed: 0, heldOutLost: 0 }),
      };
      return { staged, sink };
    }
    const exportMapping: CsvMapping = { idColumn: 'record_id', nameColumn: 'name', createdColumn: 'created_at', outcome: null, ownerColumn: 'owner', leadSourceColumn: 'lead_source' };
    const exported = [
      row({}),
      row({ recordId: '00Q2', name: 'Lovelace; Ada', topReason: 'Industry, Employees: Software · 50, 200', probability: 0.5 }),
      row({ recordId: '00Q3', name: '=1+2', probability: 0.03125, score: 3, tier: 'cold' }),
    ];

    it.each([
      // Decimal commas are read, and stored as plain numbers.
      ['de-DE', ['probability'], ['0.1235', '0.5', '0.0313']],
      ['en-US', [], ['0.1235', '0.5000', '0.0313']],
    ])('reads a %s export’s columns and numbers', async (locale, commaDecimalColumns, probabilities) => {
      const file = await scoresCsv(exported, { locale, tiers: halfAndTenth });
      const { staged, sink } = memorySink();
      const result = await importCsv(() => fileText(file), exportMapping, sink);
      expect(result).toEqual({ rows: 3, replaced: { added: 3, updated: 0, removed: 0, heldOutLost: 0 }, withoutOutcome: 0, dayFirstColumns: [], commaDecimalColumns, warnings: [] });
      const fields = [...staged.values()].map((lead) => lead.fields);
      expect(Object.keys(fields[0])).toEqual([...EXPORT_COLUMNS]);
      expect(fields.map((field) => [field.record_id, field.name, field.probability, field.score, field.top_reason])).toEqual([
        ['00Q5g0000000001AAA', 'Ada Lovelace', probabilities[0], '87', 'Title seniority: VP Sales'],
        ['00Q2', 'Lovelace; Ada', probabilities[1], '87', 'Industry, Employees: Software · 50, 200'],
        ['00Q3', "'=1+2", probabilities[2], '3', 'Title seniority: VP Sales'],
      ]);
    });
  });
});
