import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { ScoredLeadRow } from '../segments';
import { EXPORT_COLUMNS, escapeCell, scoresCsv } from './export';

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
  ])('prefixes %j so a spreadsheet shows it as text', (cell, escaped) => {
    expect(escapeCell(cell)).toBe(escaped);
  });

  it.each(['Ada Lovelace', 'a=b', '', "'already", '12'])('leaves %j as it is', (cell) => {
    expect(escapeCell(cell)).toBe(cell);
  });
});

describe('scoresCsv', () => {
  it('writes one row per lead with the export columns only', () => {
    const parsed = Papa.parse<string[]>(scoresCsv([row({})]).trim());
    expect(parsed.data).toEqual([
      [...EXPORT_COLUMNS],
      ['salesforce', '00Q5g0000000001AAA', 'Ada Lovelace', 'Dana Whitfield', 'Web', '2026-03-14T00:00:00.000Z', '87', 'hot', '0.1235', 'Title seniority: VP Sales'],
    ]);
  });

  it('writes a reason as plain text, without the direction isolates a pair reason carries for LeadLens’s pages', () => {
    const [, cells] = Papa.parse<string[]>(scoresCsv([row({ topReason: 'Industry × Employees: \u2068تعليم\u2069 · \u2068not known\u2069' })]).trim()).data;
    expect(cells[9]).toBe('Industry × Employees: تعليم · not known');
  });

  it('starts with the byte-order mark spreadsheets read UTF-8 by, names and all', () => {
    const csv = scoresCsv([row({ name: 'José Núñez' })]);
    expect(csv.startsWith('\uFEFF"source"')).toBe(true);
    expect(csv).toContain('"José Núñez"');
  });

  it('escapes formula cells in every text column, quoting what needs quotes', () => {
    const hostile = '=cmd|\' /C calc\'!A0';
    const csv = scoresCsv([row({ name: hostile, owner: '@owner', leadSource: '+Web', topReason: '-1, "quoted"' })]);
    const [, cells] = Papa.parse<string[]>(csv.trim()).data;
    expect(cells[2]).toBe(`'${hostile}`);
    expect(cells[3]).toBe("'@owner");
    expect(cells[4]).toBe("'+Web");
    expect(cells[9]).toBe(`'-1, "quoted"`);
    // No cell of the file starts a formula.
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('starts no formula in a spreadsheet that reads the file with another separator (semicolons, as in much of Europe)', () => {
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
    const csv = scoresCsv([row({ name: 'Ada;=1+2', owner: 'Dana;@SUM(A1:A9)', topReason: "Title;-2+3;+cmd|' /C calc'!A0" })]);
    const line = csv.split('\r\n')[1];
    for (const sep of [';', ',']) for (const cell of cellsWith(line, sep)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Read with the comma, as written, the values come back whole.
    const [, cells] = Papa.parse<string[]>(csv.trim()).data;
    expect([cells[2], cells[3]]).toEqual(['Ada;=1+2', 'Dana;@SUM(A1:A9)']);
  });

  it('leaves an unknown creation date empty', () => {
    const [, cells] = Papa.parse<string[]>(scoresCsv([row({ createdAt: 0 })]).trim()).data;
    expect(cells[5]).toBe('');
  });
});
