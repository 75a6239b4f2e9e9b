/**
 * CSV in a real browser: the demo CRM's history (written by `npm run demo:history` into a
 * temporary folder) imported through the options page with suggested column mapping,
 * trained on, activated, scoring a CRM badge, and the scores exported as a CSV file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../lib/csv/export';
import { hubspotContactUrl, startHarness, type Harness } from './harness';

const HISTORY_ROWS = 3000;
/**
 * Lead sources a web form could be given, each read by a spreadsheet as a formula: written into the
 * history's first rows, they must come out of the export as text. No leading tab or space: the import
 * trims cells, so one never reaches the export.
 */
const FORMULA_LEAD_SOURCES = ['=HYPERLINK("https://evil.example","x")', '-2+3', '@SUM(A1)', '+1 555 0100', '\uFF1D1+1'];

let harness: Harness;
let options: Page;
let folder: string;
let historyCsv: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'leadlens-csv-'));
  historyCsv = join(folder, 'history.csv');
  execFileSync('npm', ['run', '--silent', 'demo:history', '--', '--out', historyCsv, '--count', String(HISTORY_ROWS), '--now', new Date().toISOString()], {
    stdio: 'ignore',
  });
  const { data, meta } = Papa.parse<Record<string, string>>(readFileSync(historyCsv, 'utf8').trim(), { header: true });
  FORMULA_LEAD_SOURCES.forEach((value, i) => (data[i].lead_source = value));
  writeFileSync(historyCsv, Papa.unparse(data, { columns: meta.fields }));
  harness = await startHarness();
  options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
}, 120_000);

afterAll(async () => {
  await harness?.close();
  rmSync(folder, { recursive: true, force: true });
});

const csvSection = () => options.locator('#csv');
const training = () => options.locator('#training');

describe('CSV import, training and export', () => {
  it('rejects a malformed file with the trainer’s message and imports nothing', async () => {
    await csvSection().getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a,a\n1,2\n') });
    await expect.poll(() => csvSection().getByRole('alert').textContent(), { timeout: 30_000 }).toBe('Nothing was imported. The CSV header names column "a" twice.');
  });

  it('suggests the mapping and imports every row', async () => {
    await csvSection().getByLabel('CSV file').setInputFiles(historyCsv);
    const created = csvSection().getByLabel('Created date');
    await created.waitFor({ timeout: 10_000 });
    expect(await created.inputValue()).toBe('created_at');
    expect(await csvSection().getByLabel('Outcome').inputValue()).toBe('converted');
    expect(await csvSection().getByRole('checkbox', { name: '1' }).isChecked()).toBe(true);
    await csvSection().getByRole('button', { name: 'Import' }).click();
    const imported = csvSection().getByTestId('csv-imported');
    await imported.waitFor({ timeout: 30_000 });
    expect(await imported.textContent()).toMatch(/^Imported 3,000 leads: 3,000 added, 0 updated, 0 removed\./);
  });

  it('trains on the imported history and the model scores CRM badges', async () => {
    await training().getByLabel('History').selectOption('csv');
    expect(await training().getByLabel('History').inputValue()).toBe('csv');
    await expect.poll(() => training().getByTestId('history-count').textContent(), { timeout: 15_000 }).toBe('3,000 stored');
    expect(await training().getByLabel('Outcome field').inputValue()).toBe('converted');
    await training().getByRole('button', { name: 'Check the data' }).click();
    await training().getByTestId('data-size').waitFor({ timeout: 30_000 });
    // The catalogue's features map to the CSV's columns by name.
    expect(await training().getByLabel('Field for Industry').inputValue()).toBe('industry');
    await training().getByRole('button', { name: /^Train on [\d,]+ leads$/ }).click();
    await training().getByTestId('training-report').or(training().getByRole('alert')).waitFor({ timeout: 100_000 });
    expect(await training().getByRole('alert').allInnerTexts()).toEqual([]);
    await training().getByRole('button', { name: 'Activate this model' }).click();
    const activated = training().getByTestId('model-activated');
    await activated.waitFor({ timeout: 30_000 });
    const modelId = (await activated.textContent())?.match(/Model (\S+) is active/)?.[1];

    // Trained on CSV columns, it still reads the CRMs' own fields (the catalogue maps both).
    const page = await harness.context.newPage();
    await page.goto(hubspotContactUrl(harness.crm.leads[1].hubspotId));
    const badge = page.locator('leadlens-badge[data-leadlens-state="scored"]');
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.getAttribute('data-leadlens-model')).toBe(modelId);
    await page.close();
  }, 120_000);

  it('exports the scores as a CSV file with the export columns only, no cell a formula', async () => {
    const download = options.waitForEvent('download');
    await csvSection().getByRole('button', { name: 'Export scores as CSV' }).click();
    const file = await (await download).path();
    const rows = Papa.parse<string[]>(readFileSync(file, 'utf8').trim()).data;
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(HISTORY_ROWS + 1);
    for (const row of rows.slice(1)) {
      expect(row[0]).toBe('csv');
      expect(['hot', 'warm', 'cold']).toContain(row[7]);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const leadSources = rows.slice(1).map((row) => row[EXPORT_COLUMNS.indexOf('lead_source')]);
    for (const value of FORMULA_LEAD_SOURCES) expect(leadSources).toContain(`'${value}`);
  });

  it('reads a file that writes its dates day first, and leaves its open leads out of training', async () => {
    const OPEN_LEADS = 300;
    const { data, meta } = Papa.parse<Record<string, string>>(readFileSync(historyCsv, 'utf8').trim(), { header: true });
    const twoDigits = (n: number) => String(n).padStart(2, '0');
    const dayFirst = (iso: string) => {
      const date = new Date(iso.replace(/\+0000$/, 'Z'));
      return `${twoDigits(date.getUTCDate())}/${twoDigits(date.getUTCMonth() + 1)}/${date.getUTCFullYear()} ${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}`;
    };
    // Open leads well inside the default window (the last 12 months, at least 30 days old), so the window leaves none of them out.
    const ageDays = (iso: string) => (Date.now() - Date.parse(iso.replace(/\+0000$/, 'Z'))) / 86_400_000;
    const open = new Set(data.filter((row) => ageDays(row.created_at) > 60 && ageDays(row.created_at) < 300).slice(0, OPEN_LEADS));
    expect(open.size).toBe(OPEN_LEADS);
    const rows = data.map((row) => ({ ...row, created_at: dayFirst(row.created_at), converted: open.has(row) ? '' : row.converted }));
    const file = join(folder, 'day-first.csv');
    writeFileSync(file, Papa.unparse(rows, { columns: meta.fields }));

    await csvSection().getByLabel('CSV file').setInputFiles(file);
    await csvSection().getByLabel('Created date').waitFor({ timeout: 10_000 });
    // Numbered by row, its rows' dates written anew: no row is one the model learnt from, word for word, so Import asks first.
    const replacement = csvSection().getByTestId('csv-replacement');
    await expect.poll(() => replacement.textContent(), { timeout: 30_000 }).toMatch(/^This file updates 3,000 stored CSV leads and adds 0\. It removes none\. [\d,]+ leads a model trained here learnt from lose their held-out scores/);
    await csvSection().getByRole('button', { name: 'Import…', exact: true }).click();
    await csvSection().getByRole('button', { name: 'Import all the same', exact: true }).click();
    await csvSection().getByTestId('csv-imported').waitFor({ timeout: 30_000 });
    expect(await csvSection().getByTestId('csv-day-first').textContent()).toContain('"created_at"');

    await options.reload();
    await training().getByLabel('History').selectOption('csv');
    await expect.poll(() => training().getByTestId('history-count').textContent(), { timeout: 15_000 }).toBe('3,000 stored');
    await training().getByRole('button', { name: 'Check the data' }).click();
    await training().getByTestId('data-size').waitFor({ timeout: 30_000 });
    // Only the open leads are left out: read month first, every date after the 12th would have been unreadable, and counted here.
    expect(await training().getByTestId('left-out').textContent()).toBe(`${OPEN_LEADS} leads have no outcome yet and are left out.`);
  });
});
