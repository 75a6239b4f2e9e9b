/**
 * HubSpot contact properties that HubSpot records as a dropdown of number ranges, with their
 * options as HubSpot writes them, smallest first. A contact holds one of these options, never a
 * number between them; featurization reads each as its lower end ("100-500" → 100, derive.ts
 * `parseNumber`). Kept apart from the demo data so the side panel can ask without loading it.
 */

/** HubSpot's Number of Employees (`numemployees`) options. */
export const HUBSPOT_EMPLOYEE_RANGES = ['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+'] as const;

/** By property name (HubSpot's internal names are lower case): the options of each range dropdown. */
const RANGE_DROPDOWNS: Readonly<Record<string, readonly string[]>> = { numemployees: HUBSPOT_EMPLOYEE_RANGES };

/** The options of HubSpot property `name` when HubSpot records it as a dropdown of number ranges; undefined for any other property. */
export function hubspotRangeOptions(name: string): readonly string[] | undefined {
  const property = name.toLowerCase();
  return Object.hasOwn(RANGE_DROPDOWNS, property) ? RANGE_DROPDOWNS[property] : undefined;
}
