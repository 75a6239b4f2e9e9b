/**
 * The headers Salesforce's lead reports and HubSpot's contact exports write for the CRM fields
 * LeadLens's built-in features read, by CRM and API name. A file exported from either heads its
 * columns with the fields' labels, not their API names, and a report's column can differ from the
 * field's label on the record (Salesforce's NumberOfEmployees is "Employees" on the record and
 * "No. of Employees" in a report), so both are listed. Kept apart from the demo data: training
 * reads it.
 */
import { CREATED_HEADERS, LEAD_SOURCE_HEADERS } from '../csv/mapping';
import type { CrmKind } from './types';

const EXPORT_HEADERS: { readonly [crm in CrmKind]: Readonly<Record<string, readonly string[]>> } = {
  salesforce: {
    // the import's lists: every language's header it suggests as the lead source or created date
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
