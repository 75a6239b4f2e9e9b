/** Messages between the options page and the CSV import worker, parsed with zod on both sides. */
import { z } from 'zod';
import { OutcomeRuleSchema } from '../ml/outcome-rule';
import { CsvMappingSchema, CsvReplacementSchema } from './import';

const FileSchema = z.custom<File>((value) => value instanceof File, 'a file');

export const CsvRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('preview'), file: FileSchema }),
  z.object({ type: z.literal('import'), file: FileSchema, mapping: CsvMappingSchema }),
  /** What importing the file under `mapping` would do to the stored CSV leads (`compareWithStoredImport`), answered `compared`; nothing is stored. */
  z.object({ type: z.literal('compare'), file: FileSchema, mapping: CsvMappingSchema }),
]);
export type CsvRequest = z.infer<typeof CsvRequestSchema>;

/**
 * The options page asks the running import to stop. The worker answers `cancelled` if it
 * stopped before its commit, or `imported` if the commit had begun: only the worker knows which.
 */
export const CsvCancelSchema = z.object({ type: z.literal('cancel') });
export type CsvCancel = z.infer<typeof CsvCancelSchema>;

export const CsvEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('preview'),
    columns: z.array(z.string()),
    /** Columns with few distinct values in the whole file, with those values, one per spelling as an outcome rule tells them apart (outcome candidates). */
    outcomeValues: z.record(z.string(), z.array(z.string())),
    suggestion: CsvMappingSchema,
    /** Column → its rows with no value (see `CsvPreview.missingCells`): the mapping form warns of those of the id column chosen (`missingIdsWarning`). */
    missingCells: z.record(z.string(), z.number().int().nonnegative()),
    /** How the file was read, where a person should know (see `CsvPreview`); not the id column's blank cells, which depend on the column chosen. */
    warnings: z.array(z.string()),
    /** The stored import as the preview found it (`storedImport`): how many leads a new file replaces, and the outcome rule the form starts from. */
    storedImport: z.object({ leads: z.number().int().nonnegative(), outcome: OutcomeRuleSchema.nullable() }),
  }),
  /** While a preview or an import reads the file: the rows read (a preview) or stored (an import) so far. */
  z.object({ type: z.literal('progress'), rows: z.number().int().nonnegative(), fraction: z.number().min(0).max(1) }),
  z.object({
    type: z.literal('imported'),
    rows: z.number().int().nonnegative(),
    /** What it did to the previous import's leads. */
    replaced: CsvReplacementSchema,
    /** Of them, those stored with no outcome yet: still open, or the outcome cell empty (see `ImportResult`). */
    withoutOutcome: z.number().int().nonnegative(),
    /** Date columns the file writes day first (31/12/2025), stored as YYYY-MM-DD. */
    dayFirstColumns: z.array(z.string()),
    /** Number columns the file writes with decimal commas (1.234,5), stored as plain numbers (1234.5). */
    commaDecimalColumns: z.array(z.string()),
    /** How the file, its dates and numbers were read, where a person should know (see `ImportResult`). */
    warnings: z.array(z.string()),
  }),
  z.object({ type: z.literal('compared'), replaced: CsvReplacementSchema }),
  /** The import stopped on a cancel before its commit: nothing of it is stored. */
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type CsvEvent = z.infer<typeof CsvEventSchema>;
