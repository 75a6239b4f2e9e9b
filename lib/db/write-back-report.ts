/**
 * The CRM's last write-back report as the settings table keeps it (lib/background/write-back-job.ts
 * writes it), and what its fields hold: here, apart from the job, so a sync removing leads can take
 * their record ids out of it, and the options page read which fields LeadLens still writes, without
 * loading the write-back job.
 */
import { z } from 'zod';
import type { CrmKind } from '../crm/types';
import { MAX_FAILURE_GROUPS_SHOWN, WriteBackSummarySchema, WrittenWithSchema, type WriteBackSummary } from '../messaging/protocol-write-back';
import type { LeadLensDb } from './db';

/** The `settings` row of the CRM's last write-back, under way or ended: it outlives a browser restart or an extension update. */
export const writeBackReportKey = (crm: CrmKind) => `write-back:${crm}`;

/** Groups of records (`failures`, `notCleared`) past those a report keeps, counted in `unlisted` with the records of theirs. */
const StoredGroupsSchema = z.array(z.looseObject({ count: z.number() }));

/**
 * A report as LeadLens keeps it from the one stored: one kept before reports held at most
 * MAX_FAILURE_GROUPS_SHOWN groups (one group per refused lead, when Salesforce refused a value
 * too long for its field) keeps its first groups and counts the others' records as unlisted,
 * rather than failing to read and losing the fields it wrote (which the next write-back reads).
 */
function withinGroupsShown(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  const report: Record<string, unknown> = { ...stored };
  for (const [groups, unlisted] of [['failures', 'unlistedFailures'], ['notCleared', 'unlistedNotCleared']] as const) {
    const parsed = StoredGroupsSchema.safeParse(report[groups]);
    if (!parsed.success || parsed.data.length <= MAX_FAILURE_GROUPS_SHOWN) continue;
    const past = parsed.data.slice(MAX_FAILURE_GROUPS_SHOWN).reduce((sum, group) => sum + group.count, 0);
    report[groups] = parsed.data.slice(0, MAX_FAILURE_GROUPS_SHOWN);
    report[unlisted] = (typeof report[unlisted] === 'number' ? report[unlisted] : 0) + past;
  }
  return report;
}

/** The CRM's last write-back report as stored (`withinGroupsShown`), parsed; unsuccessful when none or unreadable. */
export async function storedWriteBackReport(database: LeadLensDb, crm: CrmKind): Promise<z.ZodSafeParseResult<WriteBackSummary>> {
  return WriteBackSummarySchema.safeParse(withinGroupsShown((await database.settings.get(writeBackReportKey(crm)))?.value));
}

/**
 * The `settings` row of what the CRM's fields hold (`FieldsHeld`): the last write-back's that knew
 * it, kept apart from the report, which the next start replaces whether or not it writes anything.
 */
export const fieldsHeldKey = (crm: CrmKind) => `write-back-held:${crm}`;

/** The fields a write-back wrote to, and what they hold (`writtenWith`). */
export const FieldsHeldSchema = z.object({ target: WriteBackSummarySchema.shape.target.unwrap(), writtenWith: WrittenWithSchema });
export type FieldsHeld = z.infer<typeof FieldsHeldSchema>;

/**
 * What the fields of the last write-back that knew it hold (`fieldsHeldKey`); else, from a report
 * kept by an older LeadLens, what that report (`last`, the CRM's) recorded. Null when neither
 * knows: an attempt that wrote nothing (a field refused, cancelled before writing) is not it.
 */
export async function storedFieldsHeld(database: LeadLensDb, last: WriteBackSummary): Promise<FieldsHeld | null> {
  const kept = FieldsHeldSchema.safeParse((await database.settings.get(fieldsHeldKey(last.crm)))?.value);
  if (kept.success) return kept.data;
  return last.target && last.writtenWith ? { target: last.target, writtenWith: last.writtenWith } : null;
}

/** Records of a report's group (`failures`, `notCleared`): its count, and the ids of up to MAX_FAILED_IDS_SHOWN of them. */
interface RecordGroup {
  count: number;
  recordIds: string[];
}

/**
 * `groups` less the records of `removed`, each group's count less those it listed. A group left
 * with records but none listed (a report keeps the ids of MAX_FAILED_IDS_SHOWN of each) keeps its
 * reason, which its other records share; one left with none goes.
 */
function withoutRecords<Group extends RecordGroup>(groups: readonly Group[], removed: ReadonlySet<string>): Group[] {
  return groups.flatMap((group) => {
    const recordIds = group.recordIds.filter((id) => !removed.has(id));
    if (recordIds.length === group.recordIds.length) return [group];
    const count = group.count - (group.recordIds.length - recordIds.length);
    return count > 0 ? [{ ...group, count, recordIds }] : [];
  });
}

/** The record ids a report lists, of its records refused (`failures`) and not emptied (`notCleared`). */
export function recordIdsListed(report: WriteBackSummary): string[] {
  return [...report.failures, ...report.notCleared].flatMap((group) => group.recordIds);
}

/**
 * `report` less the records of `removed` (leads no longer stored): each group's count less those
 * it listed (`withoutRecords`). Its other counts (written, cleared, unconfirmed, unlisted) stay as
 * the write-back counted: a lead they counted is not known. `report` itself when it lists none of them.
 */
export function reportWithoutRecords(report: WriteBackSummary, removed: ReadonlySet<string>): WriteBackSummary {
  if (!recordIdsListed(report).some((id) => removed.has(id))) return report;
  return { ...report, failures: withoutRecords(report.failures, removed), notCleared: withoutRecords(report.notCleared, removed) };
}

/**
 * Takes the records of `recordIds` (leads a sync removed: deleted or merged away in the CRM) out of
 * the CRM's last write-back report (`reportWithoutRecords`), in the caller's transaction over
 * `database`'s settings: a GDPR erasure leaves no id of the record behind. A write-back under way
 * does not put them back: it leaves out the records of leads no longer stored as it writes its report.
 */
export async function forgetRecordsInWriteBackReport(database: LeadLensDb, crm: CrmKind, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  const parsed = await storedWriteBackReport(database, crm);
  if (!parsed.success) return;
  const forgotten = reportWithoutRecords(parsed.data, new Set(recordIds));
  if (forgotten !== parsed.data) await database.settings.put({ key: writeBackReportKey(crm), value: WriteBackSummarySchema.parse(forgotten) });
}
