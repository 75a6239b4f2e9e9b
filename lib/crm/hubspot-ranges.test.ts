import { describe, expect, it } from 'vitest';
import { parseNumber } from '../ml/derive';
import { employeeRange } from './demo-data';
import { HUBSPOT_EMPLOYEE_RANGES, hubspotRangeOptions } from './hubspot-ranges';

describe('HubSpot properties recorded as a dropdown of number ranges', () => {
  it("knows Number of Employees' options as HubSpot writes them, by its property name in any case", () => {
    expect(hubspotRangeOptions('numemployees')).toEqual(['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+']);
    // A manifest's field name is matched as featurization matches it, case aside.
    expect(hubspotRangeOptions('NumEmployees')).toBe(HUBSPOT_EMPLOYEE_RANGES);
  });

  it('knows no other property as one: a number field holds any number, and Object\'s own names are no property', () => {
    for (const name of ['annualrevenue', 'NumberOfEmployees', 'hs_analytics_num_visits', 'constructor', '__proto__', 'toString']) {
      expect(hubspotRangeOptions(name), name).toBeUndefined();
    }
  });

  it('lists the options smallest first, each read by featurization as a different lower end', () => {
    expect(HUBSPOT_EMPLOYEE_RANGES.map((option) => parseNumber(option))).toEqual([1, 5, 25, 50, 100, 500, 1000]);
  });

  it('is the list the demo CRM records its contacts with, each head count in the option it reaches', () => {
    expect([0, 1, 4, 5, 24, 25, 99, 100, 499, 500, 999, 1000, 50_000].map(employeeRange)).toEqual(['1-5', '1-5', '1-5', '5-25', '5-25', '25-50', '50-100', '100-500', '100-500', '500-1000', '500-1000', '1000+', '1000+']);
  });
});
