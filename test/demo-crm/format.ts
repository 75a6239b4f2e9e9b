/**
 * How each CRM's UI displays a stored value (test/demo-crm/PAGES.md, "Display formats"), in
 * the user's locale as the real ones do: PAGES.md's formats are en-US's; in another locale
 * numbers and dates are written as Intl writes them there (`1.500`, `01.03.2026, 14:30` in
 * de-DE). Times are shown in UTC so pages are the same on every machine.
 */
import type { SalesforceValue } from '../../lib/crm/demo-data';
import type { HubSpotProperty, SalesforceField } from './fields';

/** The locale PAGES.md's formats are written in, and the pages' unless a test says otherwise. */
export const DEMO_LOCALE = 'en-US';

const grouped = (locale: string) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

/** A date (with its time) as `locale` writes it with digits, or null for en-US, which each CRM writes its own way. */
function localDate(date: Date, locale: string, withTime: boolean): string | null {
  if (locale === DEMO_LOCALE) return null;
  const time = withTime ? ({ hour: '2-digit', minute: '2-digit' } as const) : {};
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric', ...time }).format(date);
}

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
export function salesforceDisplay(field: SalesforceField, value: SalesforceValue, ownerName: (id: string) => string, locale = DEMO_LOCALE): string {
  if (value === null || value === '') return '';
  switch (field.type) {
    case 'currency':
      return `$${grouped(locale).format(Number(value))}`;
    case 'int':
      return grouped(locale).format(Number(value));
    case 'datetime': {
      const date = parseDate(String(value));
      return localDate(date, locale, true) ?? `${usDate(date)}, ${timeOfDay(date)}`;
    }
    case 'date': {
      const date = parseDate(`${String(value)}T00:00:00Z`);
      return localDate(date, locale, false) ?? usDate(date);
    }
    case 'reference':
      return ownerName(String(value));
    default:
      return String(value);
  }
}

/** The text HubSpot shows for a property: `--` when empty, option labels for enumerations. */
export function hubspotDisplay(property: HubSpotProperty, value: string | null, locale = DEMO_LOCALE): string {
  if (value === null || value === '') return '--';
  switch (property.type) {
    case 'number':
      return Number.isFinite(Number(value)) ? grouped(locale).format(Number(value)) : value;
    case 'datetime': {
      const date = parseDate(value);
      return localDate(date, locale, true) ?? `${paddedUsDate(date)} ${timeOfDay(date)}`;
    }
    case 'date': {
      const date = parseDate(value);
      return localDate(date, locale, false) ?? paddedUsDate(date);
    }
    case 'bool':
      return value === 'true' ? 'Yes' : 'No';
    case 'enumeration':
      return property.options?.find((option) => option.value === value)?.label ?? value;
    default:
      return value;
  }
}
