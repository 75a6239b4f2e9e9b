/**
 * How each CRM's UI displays a stored value (test/demo-crm/PAGES.md, "Display formats").
 * Times are shown in UTC so pages are the same on every machine.
 */
import type { SalesforceValue } from '../../lib/crm/demo-data';
import type { HubSpotProperty, SalesforceField } from './fields';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function timeOfDay(date: Date): string {
  const hours = date.getUTCHours();
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  return `${hours % 12 === 0 ? 12 : hours % 12}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** `11/3/2026` */
function usDate(date: Date): string {
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
}

/** `11/03/2026` */
function paddedUsDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()}`;
}

/** Salesforce date-times look like `2026-03-14T09:12:44.000+0000`, which `Date` parses. */
const parseDate = (value: string): Date => new Date(value);

/** The text Lightning shows for a field; booleans are checkboxes, so the caller draws those. */
export function salesforceDisplay(field: SalesforceField, value: SalesforceValue, ownerName: (id: string) => string): string {
  if (value === null || value === '') return '';
  switch (field.type) {
    case 'currency':
      return `$${grouped.format(Number(value))}`;
    case 'int':
      return grouped.format(Number(value));
    case 'datetime': {
      const date = parseDate(String(value));
      return `${usDate(date)}, ${timeOfDay(date)}`;
    }
    case 'date':
      return usDate(parseDate(`${String(value)}T00:00:00Z`));
    case 'reference':
      return ownerName(String(value));
    default:
      return String(value);
  }
}

/** The text HubSpot shows for a property: `--` when empty, option labels for enumerations. */
export function hubspotDisplay(property: HubSpotProperty, value: string | null): string {
  if (value === null || value === '') return '--';
  switch (property.type) {
    case 'number':
      return Number.isFinite(Number(value)) ? grouped.format(Number(value)) : value;
    case 'datetime': {
      const date = parseDate(value);
      return `${paddedUsDate(date)} ${timeOfDay(date)}`;
    }
    case 'date':
      return paddedUsDate(parseDate(value));
    case 'bool':
      return value === 'true' ? 'Yes' : 'No';
    case 'enumeration':
      return property.options?.find((option) => option.value === value)?.label ?? value;
    default:
      return value;
  }
}
