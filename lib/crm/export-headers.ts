/**
 * The headers Salesforce's lead reports and HubSpot's contact exports write for the CRM fields
 * LeadLens's built-in features read, by CRM and API name. A file exported from either heads its
 * columns with the fields' labels, not their API names, and a report's column can differ from the
 * field's label on the record (Salesforce's NumberOfEmployees is "Employees" on the record and
 * "No. of Employees" in a report), so both are listed. Kept apart from the demo data: training,
 * scoring (featurize.ts `sourceFieldKey`) and the CSV import's mapping read it; it reads nothing
 * of theirs, so featurization may import it.
 */
import type { FieldSources } from '../ml/manifest';
import { CRM_KINDS, type CrmKind } from './types';

/** The created date as CRM exports head it, in English and the languages Salesforce and HubSpot are often used in. */
export const CREATED_HEADERS: readonly string[] = [
  ...['Created', 'Create Date', 'Created At', 'Created Date', 'Created On', 'Created Time'],
  ...['Erstellt', 'Erstellt am', 'Erstelldatum', 'Erstellungsdatum', 'Angelegt am', 'Anlagedatum'],
  ...['Date de création', 'Créé le', 'Fecha de creación', 'Creado', 'Creado el', 'Data de criação', 'Criado em', 'Data di creazione', 'Creato il'],
  ...['Aanmaakdatum', 'Aangemaakt op', 'Gemaakt op', 'Skapad', 'Skapat datum', 'Oprettet', 'Oprettelsesdato', 'Opprettet', 'Data utworzenia', 'Oluşturma tarihi'],
  ...['Дата создания', '作成日', '作成日時', '登録日', '创建日期', '创建时间', '建立日期', '建立時間', '생성일', '생성 날짜', '만든 날짜'],
];
/**
 * The lead source as Salesforce ("Lead Source") and HubSpot ("Original Source") exports head it;
 * not a bare "Source" or "Origine", which may name the CRM a row came from or a country of origin.
 */
export const LEAD_SOURCE_HEADERS: readonly string[] = [
  ...['Lead Source', 'Lead Source Type', 'Original Source', 'Original Source Type', 'hs_analytics_source'],
  ...['Lead-Quelle', 'Leadquelle', 'Originalquelle', 'Ursprüngliche Quelle'],
  ...['Origine de la piste', 'Origine du lead', 'Source du lead', "Source d'origine", 'Source originale'],
  ...['Origen del candidato', 'Origen del lead', 'Fuente del lead', 'Fuente original'],
  ...['Origem do lead', 'Fonte do lead', 'Fonte original', 'Origine lead', 'Fonte originale'],
  ...['Leadbron', 'Oorspronkelijke bron', 'Leadkälla', 'Ursprunglig källa', 'Źródło leada'],
  ...['Источник интереса', 'Источник лида', 'リードソース', '元のソース', 'オリジナルソース', '潜在客户来源', '线索来源', '原始来源', '리드 소스', '원본 소스'],
];

const EXPORT_HEADERS: { readonly [crm in CrmKind]: Readonly<Record<string, readonly string[]>> } = {
  salesforce: {
    // every language's header, as the import suggests the lead source and created date by them (mapping.ts)
    LeadSource: LEAD_SOURCE_HEADERS,
    Industry: ['Industry'],
    AnnualRevenue: ['Annual Revenue'],
    NumberOfEmployees: ['Employees', 'No. of Employees'],
    Title: ['Title'],
    Company: ['Company', 'Company / Account'],
    Country: ['Country'],
    Email: ['Email'],
    CreatedDate: CREATED_HEADERS,
    LastActivityDate: ['Last Activity'],
    HasOptedOutOfEmail: ['Email Opt Out'],
  },
  hubspot: {
    hs_analytics_source: LEAD_SOURCE_HEADERS,
    industry: ['Industry'],
    annualrevenue: ['Annual Revenue'],
    numemployees: ['Number of Employees'],
    jobtitle: ['Job Title'],
    company: ['Company Name'],
    country: ['Country/Region'],
    email: ['Email'],
    createdate: CREATED_HEADERS,
    notes_last_updated: ['Last Activity Date'],
    hs_analytics_num_visits: ['Number of Sessions'],
    hs_analytics_num_page_views: ['Number of Pageviews'],
    num_conversion_events: ['Number of Form Submissions'],
    hs_email_open: ['Marketing emails opened'],
    hs_email_click: ['Marketing emails clicked'],
    hs_analytics_last_url: ['Last Page Seen'],
    hs_email_optout: ['Unsubscribed from all email'],
  },
};

/** `headers` by each field's API name in lower case: both CRMs take their API names in any case. */
const byLowerCaseName = (headers: Readonly<Record<string, readonly string[]>>): ReadonlyMap<string, readonly string[]> =>
  new Map(Object.entries(headers).map(([field, names]) => [field.toLowerCase(), names]));

const HEADERS_BY_FIELD: { readonly [crm in CrmKind]: ReadonlyMap<string, readonly string[]> } = {
  salesforce: byLowerCaseName(EXPORT_HEADERS.salesforce),
  hubspot: byLowerCaseName(EXPORT_HEADERS.hubspot),
};

/** The headers `crm`'s reports and exports write for its field `field` (an API name); none for a field not listed. */
export const exportHeadersOf = (crm: CrmKind, field: string): readonly string[] => HEADERS_BY_FIELD[crm].get(field.toLowerCase()) ?? [];

/**
 * The names a file may head `from`'s CRM fields' column by: each CRM's API name (a data export
 * heads columns by them) and the headers its reports and exports write (`exportHeadersOf`),
 * Salesforce's first. Training maps a catalogue feature to a file's column by them, and scoring
 * reads a model's CSV column by them when the file has none of its own name (featurize.ts).
 */
export const crmFieldNamesOf = (from: FieldSources): string[] =>
  CRM_KINDS.flatMap((crm) => {
    const field = from[crm];
    return field === undefined ? [] : [field, ...exportHeadersOf(crm, field)];
  });
