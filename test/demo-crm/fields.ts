/**
 * The demo CRMs' schemas: what each Salesforce Lead field and HubSpot contact property is
 * called on screen, its type, and (for picklists) its options. Pages label and format with
 * it; the describe / properties endpoints return it as the real APIs do.
 */
import {
  DEMO_OWNERS,
  HUBSPOT_ANALYTICS_SOURCES,
  HUBSPOT_LEAD_STATUSES,
  HUBSPOT_LIFECYCLE_STAGES,
  SALESFORCE_INDUSTRIES,
  SALESFORCE_LEAD_SOURCES,
  SALESFORCE_LEAD_STATUSES,
  SALESFORCE_RATINGS,
  type HubSpotPropertyName,
  type SalesforceLead,
} from '../../lib/crm/demo-data';
import { HUBSPOT_EMPLOYEE_RANGES } from '../../lib/crm/hubspot-ranges';

export type SalesforceFieldType =
  | 'id' | 'string' | 'email' | 'phone' | 'url' | 'picklist' | 'currency' | 'int' | 'double'
  | 'datetime' | 'date' | 'boolean' | 'reference' | 'textarea';

export interface SalesforceField {
  name: keyof SalesforceLead;
  label: string;
  type: SalesforceFieldType;
  picklistValues?: readonly string[];
}

export const SALESFORCE_LEAD_FIELDS: readonly SalesforceField[] = [
  { name: 'Id', label: 'Lead ID', type: 'id' },
  { name: 'OwnerId', label: 'Lead Owner', type: 'reference' },
  { name: 'FirstName', label: 'First Name', type: 'string' },
  { name: 'LastName', label: 'Last Name', type: 'string' },
  { name: 'Name', label: 'Name', type: 'string' },
  { name: 'Title', label: 'Title', type: 'string' },
  { name: 'Company', label: 'Company', type: 'string' },
  { name: 'Email', label: 'Email', type: 'email' },
  { name: 'Phone', label: 'Phone', type: 'phone' },
  { name: 'Website', label: 'Website', type: 'url' },
  { name: 'LeadSource', label: 'Lead Source', type: 'picklist', picklistValues: SALESFORCE_LEAD_SOURCES },
  { name: 'Industry', label: 'Industry', type: 'picklist', picklistValues: SALESFORCE_INDUSTRIES },
  { name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency' },
  { name: 'NumberOfEmployees', label: 'No. of Employees', type: 'int' },
  { name: 'Status', label: 'Lead Status', type: 'picklist', picklistValues: SALESFORCE_LEAD_STATUSES },
  { name: 'Rating', label: 'Rating', type: 'picklist', picklistValues: SALESFORCE_RATINGS },
  { name: 'City', label: 'City', type: 'string' },
  { name: 'State', label: 'State/Province', type: 'string' },
  { name: 'Country', label: 'Country', type: 'string' },
  { name: 'HasOptedOutOfEmail', label: 'Email Opt Out', type: 'boolean' },
  { name: 'LastActivityDate', label: 'Last Activity', type: 'date' },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime' },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime' },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime' },
  { name: 'IsConverted', label: 'Converted', type: 'boolean' },
  { name: 'ConvertedDate', label: 'Converted Date', type: 'date' },
  { name: 'Description', label: 'Description', type: 'textarea' },
];

/** The fields the Lead record page's details section shows, in order (no system fields). */
export const SALESFORCE_LAYOUT: readonly (keyof SalesforceLead)[] = [
  'Name', 'Title', 'Company', 'Email', 'Phone', 'Website', 'LeadSource', 'Industry', 'AnnualRevenue',
  'NumberOfEmployees', 'Status', 'Rating', 'OwnerId', 'City', 'State', 'Country', 'HasOptedOutOfEmail',
  'LastActivityDate', 'CreatedDate', 'LastModifiedDate', 'Description',
];

export function salesforceField(name: string): SalesforceField | undefined {
  const lower = name.toLowerCase();
  return SALESFORCE_LEAD_FIELDS.find((field) => field.name.toLowerCase() === lower);
}

/**
 * Fields the demo org's admin created for LeadLens to write scores to (a Salesforce custom
 * field, a HubSpot custom property). As in a real org or portal, describe and the property
 * list name them, so a sync reads what a write-back wrote (empty until then).
 */
export interface CustomField {
  name: string;
  label: string;
  type: 'number' | 'text';
}
export const TEXT_FIELD_MAX_LENGTH = 255;
export const SALESFORCE_CUSTOM_FIELDS: readonly CustomField[] = [
  { name: 'LeadLens_Score__c', label: 'LeadLens Score', type: 'number' },
  { name: 'LeadLens_Tier__c', label: 'LeadLens Tier', type: 'text' },
  { name: 'LeadLens_Reason__c', label: 'LeadLens Reason', type: 'text' },
];
export const HUBSPOT_CUSTOM_PROPERTIES: readonly CustomField[] = [
  { name: 'leadlens_score', label: 'LeadLens score', type: 'number' },
  { name: 'leadlens_tier', label: 'LeadLens tier', type: 'text' },
  { name: 'leadlens_reason', label: 'LeadLens reason', type: 'text' },
];

export type HubSpotPropertyType = 'string' | 'number' | 'datetime' | 'date' | 'enumeration' | 'bool';

export interface HubSpotOption {
  label: string;
  value: string;
}

export interface HubSpotProperty {
  name: HubSpotPropertyName;
  label: string;
  type: HubSpotPropertyType;
  groupName: 'contactinformation' | 'analyticsinformation' | 'emailinformation' | 'sales_properties';
  options?: readonly HubSpotOption[];
}

/** Options whose label is the value itself (HubSpot's `numemployees`). */
const sameLabel = (values: readonly string[]): HubSpotOption[] => values.map((value) => ({ label: value, value }));

/** How HubSpot's pages label its original sources (the property's options). */
export const ANALYTICS_SOURCE_LABELS: Record<(typeof HUBSPOT_ANALYTICS_SOURCES)[number], string> = {
  ORGANIC_SEARCH: 'Organic Search',
  PAID_SEARCH: 'Paid Search',
  EMAIL_MARKETING: 'Email Marketing',
  SOCIAL_MEDIA: 'Organic Social',
  REFERRALS: 'Referrals',
  OTHER_CAMPAIGNS: 'Other Campaigns',
  DIRECT_TRAFFIC: 'Direct Traffic',
  OFFLINE: 'Offline Sources',
  PAID_SOCIAL: 'Paid Social',
};

const LIFECYCLE_LABELS: Record<(typeof HUBSPOT_LIFECYCLE_STAGES)[number], string> = {
  subscriber: 'Subscriber',
  lead: 'Lead',
  marketingqualifiedlead: 'Marketing Qualified Lead',
  salesqualifiedlead: 'Sales Qualified Lead',
  opportunity: 'Opportunity',
  customer: 'Customer',
};

const LEAD_STATUS_LABELS: Record<(typeof HUBSPOT_LEAD_STATUSES)[number], string> = {
  NEW: 'New',
  OPEN: 'Open',
  IN_PROGRESS: 'In Progress',
  OPEN_DEAL: 'Open Deal',
  UNQUALIFIED: 'Unqualified',
  ATTEMPTED_TO_CONTACT: 'Attempted to Contact',
  CONNECTED: 'Connected',
  BAD_TIMING: 'Bad Timing',
};

const labelled = (labels: Record<string, string>): HubSpotOption[] =>
  Object.entries(labels).map(([value, label]) => ({ label, value }));

export const HUBSPOT_CONTACT_PROPERTIES: readonly HubSpotProperty[] = [
  { name: 'hs_object_id', label: 'Record ID', type: 'number', groupName: 'contactinformation' },
  { name: 'firstname', label: 'First name', type: 'string', groupName: 'contactinformation' },
  { name: 'lastname', label: 'Last name', type: 'string', groupName: 'contactinformation' },
  { name: 'email', label: 'Email', type: 'string', groupName: 'contactinformation' },
  { name: 'phone', label: 'Phone number', type: 'string', groupName: 'contactinformation' },
  { name: 'jobtitle', label: 'Job title', type: 'string', groupName: 'contactinformation' },
  { name: 'company', label: 'Company name', type: 'string', groupName: 'contactinformation' },
  { name: 'hubspot_owner_id', label: 'Contact owner', type: 'enumeration', groupName: 'sales_properties', options: DEMO_OWNERS.map((o) => ({ label: o.name, value: o.hubspotId })) },
  { name: 'lifecyclestage', label: 'Lifecycle stage', type: 'enumeration', groupName: 'contactinformation', options: labelled(LIFECYCLE_LABELS) },
  { name: 'hs_lead_status', label: 'Lead status', type: 'enumeration', groupName: 'sales_properties', options: labelled(LEAD_STATUS_LABELS) },
  { name: 'industry', label: 'Industry', type: 'string', groupName: 'contactinformation' },
  { name: 'numemployees', label: 'Number of Employees', type: 'enumeration', groupName: 'contactinformation', options: sameLabel(HUBSPOT_EMPLOYEE_RANGES) },
  { name: 'annualrevenue', label: 'Annual Revenue', type: 'number', groupName: 'contactinformation' },
  { name: 'website', label: 'Website URL', type: 'string', groupName: 'contactinformation' },
  { name: 'city', label: 'City', type: 'string', groupName: 'contactinformation' },
  { name: 'state', label: 'State/Region', type: 'string', groupName: 'contactinformation' },
  { name: 'country', label: 'Country/Region', type: 'string', groupName: 'contactinformation' },
  { name: 'hs_analytics_source', label: 'Original Source', type: 'enumeration', groupName: 'analyticsinformation', options: labelled(ANALYTICS_SOURCE_LABELS) },
  { name: 'hs_analytics_num_visits', label: 'Number of Sessions', type: 'number', groupName: 'analyticsinformation' },
  { name: 'hs_analytics_num_page_views', label: 'Number of Pageviews', type: 'number', groupName: 'analyticsinformation' },
  { name: 'num_conversion_events', label: 'Number of Form Submissions', type: 'number', groupName: 'analyticsinformation' },
  { name: 'hs_analytics_first_url', label: 'First Page Seen', type: 'string', groupName: 'analyticsinformation' },
  { name: 'hs_analytics_last_url', label: 'Last Page Seen', type: 'string', groupName: 'analyticsinformation' },
  { name: 'hs_email_open', label: 'Marketing emails opened', type: 'number', groupName: 'emailinformation' },
  { name: 'hs_email_click', label: 'Marketing emails clicked', type: 'number', groupName: 'emailinformation' },
  { name: 'hs_email_bounce', label: 'Marketing emails bounced', type: 'number', groupName: 'emailinformation' },
  { name: 'hs_email_optout', label: 'Unsubscribed from all email', type: 'bool', groupName: 'emailinformation' },
  { name: 'notes_last_updated', label: 'Last Activity Date', type: 'datetime', groupName: 'sales_properties' },
  { name: 'createdate', label: 'Create Date', type: 'datetime', groupName: 'contactinformation' },
  { name: 'lastmodifieddate', label: 'Last Modified Date', type: 'datetime', groupName: 'contactinformation' },
  { name: 'hs_lastmodifieddate', label: 'Object last modified date/time', type: 'datetime', groupName: 'contactinformation' },
];

/** The properties the record page's "About this contact" card shows, in order. */
export const HUBSPOT_ABOUT_CARD: readonly HubSpotPropertyName[] = [
  'email', 'phone', 'jobtitle', 'company', 'hubspot_owner_id', 'lifecyclestage', 'hs_lead_status', 'industry',
  'numemployees', 'annualrevenue', 'website', 'city', 'state', 'country', 'hs_analytics_source',
  'hs_analytics_num_visits', 'hs_analytics_num_page_views', 'num_conversion_events', 'hs_email_open',
  'hs_email_click', 'hs_analytics_first_url', 'hs_analytics_last_url', 'notes_last_updated', 'createdate',
  'hs_email_optout',
];

const HUBSPOT_BY_NAME = new Map<string, HubSpotProperty>(HUBSPOT_CONTACT_PROPERTIES.map((p) => [p.name, p]));

export function hubspotProperty(name: string): HubSpotProperty | undefined {
  return HUBSPOT_BY_NAME.get(name);
}
