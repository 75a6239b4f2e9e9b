import { describe, expect, it } from 'vitest';
import { openLookingStatuses, stagesReached, suggestOutcome } from './outcome-suggestions';

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
