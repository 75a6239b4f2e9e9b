/**
 * A CRM record as LeadLens stores it. Only the handful of fields the side panel, list
 * views and training index on are read here, each through zod, so a renamed field or a
 * changed type is an error naming that field (never its value).
 */
import { HUBSPOT_LIFECYCLE_ORDER, stagesReached, suggestedStageReached } from '../crm/hubspot-lifecycle';
import { z } from 'zod';
import { parseCrmDateTime, type CrmRecord } from '../crm/client';
import { CrmError } from '../crm/http';
import { nameOrFallback } from '../presentation';
import { describeSchemaIssues } from '../schema-issues';
import { CRM_LABEL, CRM_TERMS, type CrmKind } from '../crm/types';
import { leadKeyOf, type StoredLead } from '../db/db';

const DateTime = z.string().refine((value) => Number.isFinite(parseCrmDateTime(value)), 'expected an ISO date-time');
const Text = z.string().nullable().optional();

const SalesforceIndexedFields = z.object({
  Name: z.string(),
  OwnerId: Text,
  LeadSource: Text,
  CreatedDate: DateTime,
  IsConverted: z.boolean(),
});

const HubSpotIndexedProperties = z.object({
  firstname: Text,
  lastname: Text,
  email: Text,
  hubspot_owner_id: Text,
  hs_analytics_source: Text,
  createdate: DateTime,
  lifecyclestage: Text,
});


/**
 * Whether a HubSpot contact counts as converted: its lifecycle stage is at or past `convertedFrom`
 * in `order`, the portal's own stages (`lifecycleOrder`; HubSpot's default order when they are
 * not known). `convertedFrom` is by default the stage the Training form suggests
 * (`suggestedStageReached`: opportunity, or a stage in its place in a portal without it), so a
 * model without an outcome rule counts conversions as one trained on that suggestion does. A stage outside the order ("other", one the
 * portal does not list) says nothing: null.
 */
export function hubspotOutcome(
  stage: string | null | undefined,
  order: readonly string[] = HUBSPOT_LIFECYCLE_ORDER,
  convertedFrom = suggestedStageReached(order),
): 0 | 1 | null {
  if (stage === null || stage === undefined || !order.includes(stage)) return null;
  return stagesReached(convertedFrom, order).includes(stage) ? 1 : 0;
}

/** The field holding a record's owner id: its name is read from the CRM at sync time. */
const OWNER_ID_FIELD = { salesforce: 'OwnerId', hubspot: 'hubspot_owner_id' } as const satisfies Record<CrmKind, string>;

/** What the CRM's owner ids look like (Salesforce: a User `005…` or a queue `00G…`; HubSpot: digits), to tell them from names. */
const OWNER_ID_PATTERN = { salesforce: /^00[5G][A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/, hubspot: /^\d+$/ } as const satisfies Record<CrmKind, RegExp>;

/** Whether a stored owner may be one of the CRM's owner ids, stored when the CRM could not name it. */
export function looksLikeOwnerId(crm: CrmKind, owner: string): boolean {
  return OWNER_ID_PATTERN[crm].test(owner);
}

/** Whether `lead`, synced from `crm`, still holds its owner's id where its owner's name belongs. */
export function hasUnnamedOwner(crm: CrmKind, lead: StoredLead): boolean {
  return lead.origin === 'sync' && lead.source === crm && lead.owner !== '' && lead.fields[OWNER_ID_FIELD[crm]] === lead.owner;
}

/** The record's owner id, or null when it has none (read unchecked: `toStoredLead` validates it). */
export function ownerIdOf(crm: CrmKind, record: CrmRecord): string | null {
  const id = record.fields[OWNER_ID_FIELD[crm]];
  return typeof id === 'string' && id !== '' ? id : null;
}

/** A record whose indexed fields are not as expected: `issues` names the fields and what is wrong. */
export class UnexpectedFieldError extends CrmError {
  constructor(crm: CrmKind, readonly record: CrmRecord, readonly issues: string) {
    super('schema', `${CRM_LABEL[crm]} ${CRM_TERMS[crm].record} ${record.id} has an unexpected field: ${issues}`);
    this.name = 'UnexpectedFieldError';
  }
}

function indexed<S extends z.ZodType>(schema: S, crm: CrmKind, record: CrmRecord): z.infer<S> {
  const parsed = schema.safeParse(record.fields);
  if (parsed.success) return parsed.data;
  throw new UnexpectedFieldError(crm, record, describeSchemaIssues(parsed.error));
}

/**
 * The fields each CRM stamps on every write to a record, LeadLens's write-backs included: when,
 * and (Salesforce) by whom. A lead read again that differs from its stored copy in these (and
 * `modifiedAt`, read from them) and in what LeadLens wrote back alone is no change (store.ts
 * `differsOnlyByWriteBack`). Training flags each as written after the outcome (leakage.ts), so a
 * model reads them only where the admin kept one past the flag.
 */
export const MODIFICATION_STAMP_FIELDS = {
  salesforce: ['SystemModstamp', 'LastModifiedDate', 'LastModifiedById'],
  hubspot: ['lastmodifieddate', 'hs_lastmodifieddate'],
} as const satisfies Record<CrmKind, readonly string[]>;

/** The field a stored lead's `leadSource` (the side panel's filter) is read from, per CRM. */
export const LEAD_SOURCE_FIELDS = { salesforce: 'LeadSource', hubspot: 'hs_analytics_source' } as const satisfies Record<CrmKind, string>;

/**
 * Of a record's fields, those holding a value. The CRMs return every field asked for, null when
 * empty (a HubSpot portal's 900 properties on a contact with 60 filled), and every reader of a
 * stored lead's values takes an empty field as missing whether it is null or absent: kept, the
 * empty ones would make a lead ten times its size, and a field created since, empty on every
 * record, would make every lead read again count as changed, to be scored again. Which fields the
 * CRM shows, empty or not, the sync state's `syncedFields` says, not the stored leads.
 */
function withValues(fields: StoredLead['fields']): StoredLead['fields'] {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined));
}

/**
 * `ownerNames`: owner id → display name; an owner missing from it is stored as its id. Fields
 * without a value are not stored (`withValues`). `stageOrder`: a HubSpot portal's lifecycle stages
 * in its order (`lifecycleOrder`), which its contacts' outcomes are read in (`hubspotOutcome`).
 */
export function toStoredLead(
  crm: CrmKind,
  record: CrmRecord,
  ownerNames: ReadonlyMap<string, string> = new Map(),
  stageOrder: readonly string[] = HUBSPOT_LIFECYCLE_ORDER,
): StoredLead {
  const owner = (id: string | null | undefined) => (id ? (ownerNames.get(id) ?? id) : '');
  const base = { key: leadKeyOf(crm, record.id), source: crm, id: record.id, origin: 'sync' as const, modifiedAt: record.modifiedAt, fields: withValues(record.fields) };
  if (crm === 'salesforce') {
    const fields = indexed(SalesforceIndexedFields, crm, record);
    return {
      ...base,
      // Never blank: Salesforce requires a lead's last name.
      name: fields.Name,
      owner: owner(fields.OwnerId),
      leadSource: fields[LEAD_SOURCE_FIELDS.salesforce] ?? '',
      createdAt: parseCrmDateTime(fields.CreatedDate),
      outcome: fields.IsConverted ? 1 : 0,
    };
  }
  const properties = indexed(HubSpotIndexedProperties, crm, record);
  const name = [properties.firstname, properties.lastname].filter(Boolean).join(' ');
  return {
    ...base,
    name: nameOrFallback(crm, record.id, name || (properties.email ?? '')),
    owner: owner(properties.hubspot_owner_id),
    leadSource: properties[LEAD_SOURCE_FIELDS.hubspot] ?? '',
    createdAt: parseCrmDateTime(properties.createdate),
    outcome: hubspotOutcome(properties.lifecyclestage, stageOrder),
  };
}

/**
 * `lead`, synced from `crm`, without the fields `dropped` (ones the CRM no longer shows the user:
 * field-level security, a revoked scope, a deleted field), and with what is indexed from its fields
 * (owner, lead source, outcome) read again from those left. The owner keeps the name stored for
 * its id. One whose indexed fields cannot be read without them keeps those as they were. Fields
 * left without a value (a value the CRM computes, emptied: `SyncStore.refreshFields`) go too (`withValues`).
 * `stageOrder` as `toStoredLead` takes it: a contact's outcome is read again in the portal's order.
 */
export function withoutFields(crm: CrmKind, lead: StoredLead, dropped: ReadonlySet<string>, stageOrder: readonly string[] = HUBSPOT_LIFECYCLE_ORDER): StoredLead {
  const fields = withValues(Object.fromEntries(Object.entries(lead.fields).filter(([name]) => !dropped.has(name))));
  const ownerId = ownerIdOf(crm, { id: lead.id, modifiedAt: lead.modifiedAt, fields: lead.fields });
  try {
    return toStoredLead(crm, { id: lead.id, modifiedAt: lead.modifiedAt, fields }, new Map(ownerId === null ? [] : [[ownerId, lead.owner]]), stageOrder);
  } catch (error) {
    if (!(error instanceof UnexpectedFieldError)) throw error;
    return { ...lead, fields };
  }
}
