/**
 * Scores as a CSV file for spreadsheets. A cell that starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of
 * running it as a formula (CRM values are typed by anyone who fills in a web form). Every cell
 * is quoted too: a spreadsheet set to another separator (`;` in much of Europe) would otherwise
 * split `Ada;=1+2` and run its second half. Only the columns below are written: lead
 * identity, score and reason, never settings or credentials.
 */
import Papa from 'papaparse';
import { visibleText } from '../ml/visible-text';
import type { ScoredLeadRow } from '../segments';

const FORMULA_START = /^[=+\-@\t\r]/;

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

export function scoresCsv(rows: readonly ScoredLeadRow[]): string {
  const cells = rows.map((row) =>
    [
      row.source,
      row.recordId,
      row.name,
      row.owner,
      row.leadSource,
      row.createdAt > 0 ? new Date(row.createdAt).toISOString() : '',
      String(row.score),
      row.tier,
      row.probability.toFixed(4),
      // As plain text: the direction isolates a reason carries for LeadLens's own pages stay out of the file.
      visibleText(row.topReason),
    ].map(escapeCell),
  );
  const header = [...EXPORT_COLUMNS];
  // The byte-order mark tells Excel the file is UTF-8: without it, "José" opens as "JosÃ©".
  return `\uFEFF${Papa.unparse({ fields: header, data: cells }, { newline: '\r\n', quotes: true })}\r\n`;
}
