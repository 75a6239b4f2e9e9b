/**
 * Scores as a CSV file for spreadsheets. A cell that starts with `=`, `+`, `-`, `@` (or their
 * full-width forms `＝` `＋` `－` `＠`, which a spreadsheet may take for them), after any leading
 * white space (spaces, no-break spaces, line breaks), or with a tab, a carriage return or a line
 * feed, is prefixed with `'`, so a spreadsheet shows it as text instead of running it as a
 * formula (CRM values are typed by anyone who fills in a web form). The file separates its cells
 * as a spreadsheet in the browser's language expects (`localeSeparator`), unless the admin chose
 * otherwise. Every cell is quoted too: a spreadsheet reading the file with the other separator
 * would otherwise split `Ada;=1+2` and run its second half. Only the columns below are written:
 * lead identity, score and reason, never settings or credentials. A probability is written with
 * as many decimals as it takes to read on its tier's side of each tier threshold (`probabilityCell`).
 */
import Papa from 'papaparse';
import { z } from 'zod';
import { yieldToEventLoop } from '../db/chunks';
import { pageConventions } from '../ml/page-values';
import { visibleText } from '../ml/visible-text';
import type { TierThresholds } from '../ml/train/thresholds';
import { dayClockOf, percentWithTiers, topReasonWithWay } from '../presentation';
import type { ScoredLeadRow } from '../segments';

// `\s` is every white space a spreadsheet may skip before a formula: no-break and ideographic spaces, line feeds, the byte-order mark.
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

export function escapeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export const EXPORT_COLUMNS = [
  'source',
  'record_id',
  'name',
  'owner',
  'lead_source',
  'created_at',
  'score',
  'tier',
  'probability',
  'top_reason',
] as const;

/** What is stored when an export is asked, for `leadsToExport`. */
export interface StoredLeadMix {
  /** How many leads are stored, Demo mode's among them. */
  total: number;
  /** The keys of Demo mode's stored leads (`StoredLead.origin` `'demo'`). */
  demoKeys: readonly string[];
}

/**
 * The scored leads an export writes, and how many stored demo leads it leaves out. Once a lead of
 * your own (synced or imported) is stored, Demo mode's made-up leads are left out, as the tier
 * policy and drift check leave them out of the real leads a model scores: a file handed to sales
 * must not mix 2,000 made-up people, unmarked, with real ones. All of them: Demo mode stores its
 * leads under both CRMs and none under a file, so leaving out only a source's own demo leads
 * would keep the other CRM's, or every one of them beside an import. While the demo is all that
 * is stored, it is exported: it is what is being tried.
 */
export function leadsToExport(rows: readonly ScoredLeadRow[], stored: StoredLeadMix): { rows: ScoredLeadRow[]; demoLeftOut: number } {
  if (stored.demoKeys.length === 0 || stored.demoKeys.length === stored.total) return { rows: [...rows], demoLeftOut: 0 };
  const demo = new Set(stored.demoKeys);
  return { rows: rows.filter((row) => !demo.has(row.leadKey)), demoLeftOut: demo.size };
}

/** What separates an exported file's cells; its numbers' decimal mark goes with it (`DECIMAL_MARK`). */
export const CsvSeparatorSchema = z.enum([',', ';']);
export type CsvSeparator = z.infer<typeof CsvSeparatorSchema>;

/** Excel splits at semicolons where numbers take a decimal comma, and reads 0.7346 there as text or a date. */
const DECIMAL_MARK: Record<CsvSeparator, string> = { ',': '.', ';': ',' };

/**
 * The separator a spreadsheet opened in `locale` expects: `;` where numbers are written with a
 * decimal comma (German, French, Spanish, Dutch, Russian…), as Excel there splits a CSV file at
 * semicolons; `,` elsewhere.
 */
export function localeSeparator(locale: string): CsvSeparator {
  return pageConventions(locale)?.numberFormat === 'comma-decimal' ? ';' : ',';
}

/** Decimals of percent in the four of a fraction ("0.2499") a probability is written with at least. */
const FEWEST_PERCENT_DECIMALS = 2;

/** A probability in percent beside the export's tier thresholds, the thresholds' written form worked out once per file (`percentWithTiers`). */
type PercentWithTiers = ReturnType<typeof percentWithTiers>;

/**
 * A lead's probability as a fraction, four decimals or more: as many as it takes to read on its
 * tier's side of each threshold as the admin reads it, as the badge's likelihood does
 * (`percentWithTiers`). A spreadsheet filtering on it then finds the leads of each tier: a warm
 * lead of 0.249996 under "hot from 25%" is 0.2499, not 0.2500, a hot one of 0.03334 under "hot
 * from 3.333%" 0.03334, not 0.0333.
 */
function probabilityCell(probability: number, percentOf: PercentWithTiers): string {
  const { percent, decimals } = percentOf(probability);
  return (percent / 100).toFixed(decimals + 2);
}

/**
 * A lead's created date as its cell, empty when unknown: a CRM's, a moment, in ISO with its `Z`;
 * an imported file's in ISO without a zone, as its file wrote it (`11/29/2026 6:45 AM` is
 * `2026-11-29T06:45:00.000`). A file's date-time written without a zone is its exporter's clock,
 * read as if UTC (`parseDate`): a `Z` would claim a moment hours off (a Los Angeles report's 6:45
 * AM is 14:45 UTC), where the file said no zone. Read again, it is the same date.
 */
function createdAtCell({ source, createdAt }: ScoredLeadRow): string {
  if (createdAt <= 0) return '';
  const iso = new Date(createdAt).toISOString();
  return dayClockOf(source) === 'file' ? iso.replace(/Z$/, '') : iso;
}

/** One lead's cells, in `EXPORT_COLUMNS` order, each escaped, numbers with the separator's decimal mark. */
function exportCells(row: ScoredLeadRow, separator: CsvSeparator, percentOf: PercentWithTiers, leadSourceWord: (value: string) => string): string[] {
  return [
    row.source,
    row.recordId,
    row.name,
    row.owner,
    leadSourceWord(row.leadSource),
    createdAtCell(row),
    String(row.score),
    row.tier,
    probabilityCell(row.probability, percentOf).replace('.', DECIMAL_MARK[separator]),
    // As plain text: the direction isolates a reason carries for LeadLens's own pages stay out of the file.
    visibleText(topReasonWithWay(row.topReason, row.topReasonRaises)),
  ].map(escapeCell);
}

/** Leads written between two yields to the event loop: 150,000 at once held the options page for about a second. */
const EXPORT_CHUNK = 2000;

export interface ScoresCsvOptions {
  /** The language the file is written for (the browser's): it picks the separator unless one is chosen. */
  locale: string;
  /** The thresholds the leads' tiers are set by (the model's, as its tier policy set them): probabilities are written to read on their tier's side of them. */
  tiers: TierThresholds;
  /** The separator the admin chose, over the language's; null or left out to follow the language. */
  separator?: CsvSeparator | null;
  /** Leads written between two yields to the event loop. */
  rowsPerChunk?: number;
  /**
   * A stored lead source as the CRM's pages word it (`leadSourceWords`: HubSpot's "Organic Social"
   * for SOCIAL_MEDIA), as the side panel's filter shows it; left out, as stored.
   */
  leadSourceWord?: (value: string) => string;
}

/**
 * The scores of `rows` as a CSV file, written `rowsPerChunk` leads at a time with the page's event
 * loop let run between them. The file is the same as written at once: the header and the first
 * chunk, then each further chunk on a new line, and a final line break.
 */
export async function scoresCsv(rows: readonly ScoredLeadRow[], { locale, tiers, separator = null, rowsPerChunk = EXPORT_CHUNK, leadSourceWord = (value) => value }: ScoresCsvOptions): Promise<Blob> {
  const fileSeparator = separator ?? localeSeparator(locale);
  const options = { newline: '\r\n', quotes: true, delimiter: fileSeparator };
  const percentOf = percentWithTiers(tiers, FEWEST_PERCENT_DECIMALS);
  const cellsOf = (row: ScoredLeadRow) => exportCells(row, fileSeparator, percentOf, leadSourceWord);
  // The byte-order mark tells Excel the file is UTF-8: without it, "José" opens as "JosÃ©".
  const parts = [`\uFEFF${Papa.unparse({ fields: [...EXPORT_COLUMNS], data: rows.slice(0, rowsPerChunk).map(cellsOf) }, options)}`];
  for (let start = rowsPerChunk; start < rows.length; start += rowsPerChunk) {
    await yieldToEventLoop();
    parts.push(`\r\n${Papa.unparse(rows.slice(start, start + rowsPerChunk).map(cellsOf), options)}`);
  }
  parts.push('\r\n');
  return new Blob(parts, { type: 'text/csv;charset=utf-8' });
}
