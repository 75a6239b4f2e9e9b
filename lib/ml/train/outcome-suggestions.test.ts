import { describe, expect, it } from 'vitest';
import { fewValuedColumns, openLookingStatuses, stagesReached, suggestOutcome } from './outcome-suggestions';

describe('suggestOutcome', () => {
  it('suggests IsConverted for Salesforce and "reached opportunity" for HubSpot, leaving no lead out by its status', () => {
    // Leads not converted by the minimum age count as not converted: old leads never contacted stay open for good.
    const statuses = ['Closed - Converted', 'Closed - Not Converted', 'Open - Not Contacted', 'Working - Contacted'];
    expect(suggestOutcome('salesforce', { IsConverted: ['false', 'true'], Status: statuses })).toEqual({ field: 'IsConverted', positiveValues: ['true'] });
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead', 'customer'], hs_lead_status: ['NEW', 'OPEN'] })).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'customer', 'evangelist'],
    });
    expect(suggestOutcome('csv', { converted: ['0', '1'], Status: ['Working'] })).toEqual({ field: 'converted', positiveValues: ['1'] });
  });

  it('ticks, of a status field the admin chooses, the statuses of leads still being worked', () => {
    expect(openLookingStatuses(['Closed - Converted', 'Closed - Not Converted', 'Open - Not Contacted', 'Working - Contacted'])).toEqual(['Open - Not Contacted', 'Working - Contacted']);
    expect(openLookingStatuses(['ATTEMPTED_TO_CONTACT', 'BAD_TIMING', 'CONNECTED', 'IN_PROGRESS', 'NEW', 'OPEN', 'OPEN_DEAL', 'UNQUALIFIED'])).toEqual([
      'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'IN_PROGRESS', 'NEW', 'OPEN', 'OPEN_DEAL',
    ]);
    // An org's own statuses: open unless closed or converted.
    expect(openLookingStatuses(['Nurturing', 'Closed - Lost', 'closed', 'Converted', 'Disqualified', 'Bad timing', 'New'])).toEqual(['Nurturing', 'New']);
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

describe('fewValuedColumns', () => {
  it('offers an outcome’s values as its rule tells them apart: one per value in any case, no placeholder', () => {
    const records = [{ Won: 'Yes' }, { Won: 'yes' }, { Won: ' YES ' }, { Won: 'No' }, { Won: 'Select' }, { Won: 'N/A' }, { Won: '' }, { Won: null }];
    // "yes" and "YES" were offered beside "Yes", though ticking one ticks them all, and "Select" as a value a rule reads as no outcome.
    expect(fewValuedColumns(['Won'], records)).toEqual({ Won: ['No', 'Yes'] });
  });

  it('leaves out a column of too many values to be an outcome', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ Id: `lead-${i}`, Won: i % 2 === 0 ? 'true' : 'false' }));
    expect(fewValuedColumns(['Id', 'Won'], records)).toEqual({ Won: ['false', 'true'] });
  });
});
