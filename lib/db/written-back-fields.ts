/**
 * The CRM fields LeadLens has written its scores to (write-back), remembered for training:
 * synced back with the leads, they hold an earlier model's output, not facts about the leads,
 * so a new model must not learn from them. Every field ever written counts: one no longer
 * chosen still holds the scores written then.
 */
import { z } from 'zod';
import { fieldIdentity, type CrmKind } from '../crm/types';
import type { RawValue, SourceKind } from '../ml/featurize';
import { db, leadKeyOf, type Setting } from './db';

/**
 * A field's value as compared with what LeadLens writes: a CRM may send a number as text, and
 * empty is one value however it comes (Salesforce stores an empty text as null, HubSpot sends "",
 * a field never synced is absent). Else a lead written an empty top reason would look changed
 * after every sync, and be written again at every write-back.
 */
export const comparable = (value: RawValue): string => (value === undefined || value === null ? '' : String(value));

const key = (crm: CrmKind) => `written-back-fields:${crm}`;

async function readFields(crm: CrmKind): Promise<string[]> {
  const parsed = z.array(z.string()).safeParse((await db.settings.get(key(crm)))?.value);
  return parsed.success ? parsed.data : [];
}

export async function rememberWrittenBackFields(crm: CrmKind, fields: readonly string[]): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    await db.settings.put({ key: key(crm), value: [...new Set([...(await readFields(crm)), ...fields])] });
  });
}

/** The fields LeadLens wrote to in `source`; for a CSV import, in either CRM (it may be an export of one). */
export async function writtenBackFields(source: SourceKind): Promise<string[]> {
  const crms: CrmKind[] = source === 'csv' ? ['salesforce', 'hubspot'] : [source];
  return [...new Set((await Promise.all(crms.map(readFields))).flat())];
}

/**
 * The fields LeadLens has written values to in a CRM's records, each with what it holds (its part
 * of the target that last wrote there) and when LeadLens last wrote a value there: once the admin
 * writes to other fields, the Write-back section names those LeadLens no longer updates and what
 * they still hold, which the CRM's reports, workflows and routing go on reading. Of the connected
 * org's records: connecting another org moves their names to `fieldsWrittenInOrgsBefore`
 * (`forgetWrittenValues`), and a field the admin emptied or deleted there goes when told
 * (`forgetFieldsWritten`).
 */
const fieldsWrittenKey = (crm: CrmKind) => `written-back-field-writes:${crm}`;

const FieldWrittenSchema = z.object({ name: z.string(), holds: z.enum(['score', 'tier', 'reason']), lastWrittenAt: z.number() });
/** A field LeadLens wrote to: named as the CRM spells it, what it holds, when LeadLens last wrote a value there (epoch ms). */
export type FieldWritten = z.infer<typeof FieldWrittenSchema>;
type TargetField = Omit<FieldWritten, 'lastWrittenAt'>;

/** The fields a write-back target names, with what each holds. */
export function targetFields(target: { scoreField: string | null; tierField: string | null; reasonField: string | null }): TargetField[] {
  const named: [string | null, TargetField['holds']][] = [
    [target.scoreField, 'score'],
    [target.tierField, 'tier'],
    [target.reasonField, 'reason'],
  ];
  return named.flatMap(([name, holds]) => (name === null ? [] : [{ name, holds }]));
}

/** Whether two names are one field of `crm` (`fieldIdentity`). */
const sameField = (crm: CrmKind, a: string, b: string) => fieldIdentity(crm, a) === fieldIdentity(crm, b);

/**
 * The fields LeadLens wrote values to in `crm`'s records (`FieldWritten`), less those the admin
 * said were emptied: not those a write-back only meant to write to (refused or cancelled first).
 */
export async function readFieldsWritten(crm: CrmKind): Promise<FieldWritten[]> {
  const parsed = z.array(FieldWrittenSchema).safeParse((await db.settings.get(fieldsWrittenKey(crm)))?.value);
  return parsed.success ? parsed.data : [];
}

async function recordFieldsWritten(crm: CrmKind, fields: readonly TargetField[], at: number, { overKnown }: { overKnown: boolean }): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const known = await readFieldsWritten(crm);
    for (const field of fields) {
      const same = known.findIndex((other) => sameField(crm, other.name, field.name));
      if (same === -1) known.push({ ...field, lastWrittenAt: at });
      else if (overKnown && known[same].lastWrittenAt <= at) known[same] = { ...field, lastWrittenAt: at };
    }
    await db.settings.put({ key: fieldsWrittenKey(crm), value: known });
  });
}

/** Records that LeadLens wrote values to `fields` of `crm`'s records at `at` (`FieldWritten`). Within the caller's transaction, if any. */
export async function rememberFieldsWritten(crm: CrmKind, fields: readonly TargetField[], at: number): Promise<void> {
  await recordFieldsWritten(crm, fields, at, { overKnown: true });
}

/**
 * Records `fields` as last written at `at` where nothing is recorded of them yet: what a write-back
 * of an older LeadLens wrote, which did not record its fields as it wrote them.
 */
export async function rememberFieldsWrittenBefore(crm: CrmKind, fields: readonly TargetField[], at: number): Promise<void> {
  await recordFieldsWritten(crm, fields, at, { overKnown: false });
}

/**
 * The fields LeadLens wrote values to in `crm`'s records that `target` (the last write-back's)
 * does not name: LeadLens no longer updates them, and they hold what it wrote there last.
 */
export async function fieldsNoLongerWritten(crm: CrmKind, target: Parameters<typeof targetFields>[0]): Promise<FieldWritten[]> {
  const named = targetFields(target);
  return (await readFieldsWritten(crm)).filter((field) => !named.some((other) => sameField(crm, other.name, field.name)));
}

/**
 * Forgets that LeadLens wrote to `fields` of `crm`'s records (matched as the CRM spells them,
 * `fieldIdentity`), each unless written to again since the `lastWrittenAt` given (the page read
 * before a write-back named it again): the admin emptied or deleted them in the CRM, which
 * LeadLens does not see, and the page stops saying what they may hold. Training still leaves
 * them out (`writtenBackFields`): the leads synced before hold what was written there.
 */
export async function forgetFieldsWritten(crm: CrmKind, fields: readonly Pick<FieldWritten, 'name' | 'lastWrittenAt'>[]): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const forgotten = (known: FieldWritten) => fields.some((field) => sameField(crm, field.name, known.name) && known.lastWrittenAt <= field.lastWrittenAt);
    await db.settings.put({ key: fieldsWrittenKey(crm), value: (await readFieldsWritten(crm)).filter((known) => !forgotten(known)) });
  });
}

/**
 * The names of the fields LeadLens wrote values to in the records of an org or portal `crm` was
 * connected to before the connected one (`forgetWrittenValues`): LeadLens deletes nothing in the
 * CRM, so those records still hold what it wrote, and a purge says so. Names only, apart from
 * `readFieldsWritten`: the Write-back section speaks of the connected org's fields.
 */
const fieldsWrittenBeforeKey = (crm: CrmKind) => `written-back-field-writes-before:${crm}`;

/** The fields LeadLens wrote values to in an org or portal `crm` was connected to before (`fieldsWrittenBeforeKey`). */
export async function fieldsWrittenInOrgsBefore(crm: CrmKind): Promise<string[]> {
  const parsed = z.array(z.string()).safeParse((await db.settings.get(fieldsWrittenBeforeKey(crm)))?.value);
  return parsed.success ? parsed.data : [];
}

/**
 * What LeadLens last wrote to one synced lead's fields and the CRM took, by field name (one small
 * settings row per lead written): write-back empties a field only while it still holds this. It
 * holds the lead's score and top reason, lead data: it goes with the lead (a deletion synced,
 * another org connected, a purge).
 */
const writtenValuesPrefix = (crm: CrmKind) => `written-back-values:${crm}|`;
/** The row of the stored lead `leadKey` (`${crm}|${id}`). */
export const writtenValuesKey = (leadKey: string) => `written-back-values:${leadKey}`;

/**
 * A row's values, as write-back compares them (by field name, as text, "" for empty): a field can
 * hold values LeadLens never wrote (an org reusing its populated "lead_score" field, a rep's edit
 * since), which are not LeadLens's to empty.
 */
const WrittenValuesSchema = z.record(z.string(), z.string());

/** The values of a lead's row (`writtenValuesKey`), as read from settings; {} for none, or one that does not parse. */
export function writtenValuesOf(row: Setting | undefined): Record<string, string> {
  const parsed = WrittenValuesSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : {};
}

/** What LeadLens last wrote to each of `recordIds` of `crm` and the CRM took; {} for one it remembers nothing of. */
export async function readWrittenValues(crm: CrmKind, recordIds: readonly string[]): Promise<Record<string, string>[]> {
  const rows = await db.settings.bulkGet(recordIds.map((recordId) => writtenValuesKey(leadKeyOf(crm, recordId))));
  return rows.map(writtenValuesOf);
}

/**
 * Set once a write-back has gone through every lead synced from `crm` and remembered as
 * LeadLens's the values those it remembered nothing of already held (write-back-job.ts
 * `rememberHeldValues`: values written before LeadLens remembered them). Every value written
 * since is remembered as it is written, so while it is set no write-back reads every unchanged
 * lead's row again (100,000 rows at each write-back). It goes with the rows.
 */
const heldValuesRememberedKey = (crm: CrmKind) => `held-values-remembered:${crm}`;

/** Whether the values `crm`'s leads held before LeadLens remembered what it wrote are remembered (`heldValuesRememberedKey`). */
export async function heldValuesRemembered(crm: CrmKind): Promise<boolean> {
  return (await db.settings.get(heldValuesRememberedKey(crm)))?.value === true;
}

/** Marks them remembered, or to be looked for again at the next write-back. */
export async function setHeldValuesRemembered(crm: CrmKind, remembered: boolean): Promise<void> {
  if (remembered) await db.settings.put({ key: heldValuesRememberedKey(crm), value: true });
  else await db.settings.delete(heldValuesRememberedKey(crm));
}

/**
 * Forgets what LeadLens wrote to `crm`'s records (another org's records may have the same ids)
 * and to which of their fields when, and that held values were looked for: the next write-back
 * looks again, as the records synced next may hold what an earlier LeadLens wrote (a sandbox
 * refreshed from production). Keeps those fields' names as written in an org connected before
 * (`fieldsWrittenInOrgsBefore`): its records still hold what LeadLens wrote. Within the caller's
 * transaction, if any.
 */
export async function forgetWrittenValues(crm: CrmKind): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    await db.settings.where('key').startsWith(writtenValuesPrefix(crm)).delete();
    const before = await fieldsWrittenInOrgsBefore(crm);
    const moved = (await readFieldsWritten(crm)).map(({ name }) => name).filter((name) => !before.some((other) => sameField(crm, other, name)));
    if (moved.length > 0) await db.settings.put({ key: fieldsWrittenBeforeKey(crm), value: [...before, ...moved] });
    await db.settings.delete(fieldsWrittenKey(crm));
    await setHeldValuesRemembered(crm, false);
  });
}
