import { describe, expect, it } from 'vitest';
import { stagesReached, suggestOutcome } from './outcome-suggestions';

describe('suggestOutcome', () => {
  it('suggests IsConverted for Salesforce and "reached opportunity" for HubSpot', () => {
    expect(suggestOutcome('salesforce', { IsConverted: ['false', 'true'], Status: ['Open'] })).toEqual({ field: 'IsConverted', positiveValues: ['true'] });
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead', 'customer'] })).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'customer', 'evangelist'],
    });
  });

  it('finds an outcome-like CSV column with a positive value', () => {
    expect(suggestOutcome('csv', { country: ['1', '0'], converted: ['0', '1'] })).toEqual({ field: 'converted', positiveValues: ['1'] });
    expect(suggestOutcome('csv', { stage: ['a', 'b'] })).toBeNull();
  });

  it('reads "stage reached" as that stage and every later one', () => {
    expect(stagesReached('customer')).toEqual(['customer', 'evangelist']);
    expect(stagesReached('custom_stage')).toEqual(['custom_stage']);
  });
});
