import { describe, expect, it } from 'vitest';
import { HUBSPOT_LIFECYCLE_ORDER, lifecycleOrder, stagesReached } from '../../crm/hubspot-lifecycle';
import { hubspotOutcome } from '../../sync/to-stored-lead';
import { MAX_RULE_VALUE_LENGTH, outcomeOf } from '../outcome-rule';
import { PORTAL_STAGES } from '../../../test/fixtures/hubspot-portal-stages';
import {
  fewValuedColumns,
  lifecycleRuleInOrder,
  offeredOutcomeFields,
  withoutWrittenBack,
  oneValueOutcomeNotes,
  openLookingStatuses,
  outcomeCandidates,
  stagesOutsideOrder,
  suggestOutcome,
  withKnownOutcomeFields,
} from './outcome-suggestions';

describe('suggestOutcome', () => {
  it('suggests IsConverted for Salesforce and "reached opportunity" for HubSpot, leaving no lead out by its status', () => {
    // Leads not converted by the minimum age count as not converted: old leads never contacted stay open for good.
    const statuses = ['Closed - Converted', 'Closed - Not Converted', 'Open - Not Contacted', 'Working - Contacted'];
    expect(suggestOutcome('salesforce', { IsConverted: ['false', 'true'], Status: statuses })).toEqual({ field: 'IsConverted', positiveValues: ['true'] });
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead', 'customer'], hs_lead_status: ['NEW', 'OPEN'] })).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'customer', 'evangelist'],
      openValues: ['other'],
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

  it('leaves unticked an org\'s own status it cannot tell is still being worked, a lost one above all', () => {
    // "Lost", "Junk", "Not Interested"… were ticked as still being worked, and their leads dropped out of training.
    const lost = ['Lost', 'Junk', 'Not Interested', 'No Response', 'Duplicate', 'Disqualified', 'Unqualified', 'Contacted - Not Interested', 'Attempted - No Response'];
    expect(openLookingStatuses([...lost, 'Qualified', 'Recycled'])).toEqual([]);
    expect(openLookingStatuses(['Working', 'Contacted', 'Attempting', 'In progress', 'Engaged', 'Nurture', 'Qualifying', 'Follow-up', 'Newsletter'])).toEqual([
      'Working', 'Contacted', 'Attempting', 'In progress', 'Engaged', 'Nurture', 'Qualifying', 'Follow-up',
    ]);
  });

  it('ticks the open statuses of orgs working in other languages and wordings, and none that says not to contact the lead', () => {
    // Left unticked, these leads still being worked were trained on as not converted.
    const open = ['Neu', 'In Bearbeitung', 'Nouveau', 'En cours', 'Contacté', 'Nuevo', 'Abierto', 'Em andamento', 'Nuovo', 'In corso', 'Nieuw', 'Reopened', 'Uncontacted', 'Newly Assigned', 'Callback', 'Awaiting Response', 'Meeting Scheduled', 'Pending'];
    expect(openLookingStatuses(open)).toEqual(open);
    expect(openLookingStatuses(['Do Not Contact', 'Opted Out', 'Unsubscribed', 'Renewal', 'Nouveau - Perdu'])).toEqual([]);
  });

  it('labels each HubSpot lifecycle stage as the sync stores its outcome: a stage outside HubSpot\'s order ("other", the portal\'s own) tells nothing', () => {
    // Vendors at "other" and contacts at a custom stage were trained on as not converted, while the side panel's rates left them out.
    const rule = suggestOutcome('hubspot', { lifecyclestage: ['1234567', 'lead'] })!;
    for (const stage of [...HUBSPOT_LIFECYCLE_ORDER, 'other', '1234567']) expect([stage, outcomeOf({ lifecyclestage: stage }, rule)]).toEqual([stage, hubspotOutcome(stage)]);
  });

  it('finds an outcome-like CSV column with a positive value', () => {
    expect(suggestOutcome('csv', { country: ['1', '0'], converted: ['0', '1'] })).toEqual({ field: 'converted', positiveValues: ['1'] });
    expect(suggestOutcome('csv', { stage: ['a', 'b'] })).toBeNull();
  });

  describe("a CRM export's status or lifecycle stage column", () => {
    const SALESFORCE_STATUSES = ['Closed - Converted', 'Closed - Not Converted', 'Open - Not Contacted', 'Working - Contacted'];
    /** HubSpot's stages as its contacts export labels them. */
    const STAGE_LABEL = {
      subscriber: 'Subscriber', lead: 'Lead', marketingqualifiedlead: 'Marketing Qualified Lead', salesqualifiedlead: 'Sales Qualified Lead',
      opportunity: 'Opportunity', customer: 'Customer', other: 'Other',
    };
    const HUBSPOT_STAGE_LABELS = Object.values(STAGE_LABEL).sort();
    const HUBSPOT_LEAD_STATUSES = ['Attempted to Contact', 'Bad Timing', 'Connected', 'In Progress', 'New', 'Open', 'Open Deal', 'Unqualified'];

    it("suggests a Salesforce report's lead status, its converted status converted and none left out as still open", () => {
      // No column was suggested: the Outcome field read "(not known)".
      for (const header of ['Lead Status', 'Status', 'lead_status']) {
        expect(suggestOutcome('csv', { Rating: ['Cold', 'Hot'], [header]: SALESFORCE_STATUSES })).toEqual({ field: header, positiveValues: ['Closed - Converted'] });
      }
    });

    it("suggests a HubSpot export's lifecycle stage as the sync reads it: converted from opportunity on, \"Other\" and a portal's own stage still open", () => {
      for (const header of ['Lifecycle Stage', 'Lifecycle stage', 'lifecyclestage']) {
        expect(suggestOutcome('csv', { 'Lead Status': HUBSPOT_LEAD_STATUSES, [header]: [...HUBSPOT_STAGE_LABELS, 'Product Qualified Lead'] })).toEqual({
          field: header,
          positiveValues: ['Opportunity', 'Customer'],
          openValues: ['Other', 'Product Qualified Lead'],
        });
      }
      // Its internal values, as the API names them.
      const byValue = suggestOutcome('csv', { lifecyclestage: ['customer', 'evangelist', 'lead', 'opportunity', 'salesqualifiedlead'] })!;
      expect(byValue).toEqual({ field: 'lifecyclestage', positiveValues: ['opportunity', 'customer', 'evangelist'] });
      // Each stage's contacts labelled as a sync of them stores their outcome.
      const labelOf = { ...STAGE_LABEL, evangelist: 'Evangelist', '1234567': 'Product Qualified Lead' };
      const rule = suggestOutcome('csv', { 'Lifecycle Stage': Object.values(labelOf) })!;
      for (const [stage, label] of Object.entries(labelOf)) expect([label, outcomeOf({ 'Lifecycle Stage': label }, rule)]).toEqual([label, hubspotOutcome(stage)]);
    });

    it('prefers a column named as an outcome, then the lifecycle stage, to a status, wherever they are in the file', () => {
      expect(suggestOutcome('csv', { 'Lead Status': SALESFORCE_STATUSES, 'Lifecycle Stage': HUBSPOT_STAGE_LABELS, Converted: ['No', 'Yes'] })).toEqual({
        field: 'Converted',
        positiveValues: ['Yes'],
      });
      expect(suggestOutcome('csv', { Status: ['Customer', 'Prospect'], 'Lifecycle Stage': HUBSPOT_STAGE_LABELS })?.field).toBe('Lifecycle Stage');
    });

    it('suggests no status without a converted value, nor a column of another name holding one', () => {
      expect(suggestOutcome('csv', { 'Lead Status': HUBSPOT_LEAD_STATUSES, 'Lifecycle Stage': ['Lead', 'Subscriber'] })).toBeNull();
      expect(suggestOutcome('csv', { Type: ['Customer', 'Partner', 'Prospect'] })).toBeNull();
    });

    it("suggests it from a file's rows as the import reads them", () => {
      const records = SALESFORCE_STATUSES.map((status, i) => ({ 'Lead ID': `00Q${i}`, 'Lead Status': status }));
      expect(suggestOutcome('csv', fewValuedColumns(['Lead ID', 'Lead Status'], records))).toEqual({ field: 'Lead Status', positiveValues: ['Closed - Converted'] });
    });
  });

  it('reads "stage reached" as that stage and every later one', () => {
    expect(stagesReached('customer')).toEqual(['customer', 'evangelist']);
    expect(stagesReached('custom_stage')).toEqual(['custom_stage']);
  });
});

describe("a portal's own lifecycle stages", () => {
  const PQL = '1234567';
  /** A portal that added a stage of its own between sales qualified lead and opportunity. */
  const withOwnStage = PORTAL_STAGES.map((stage) => stage.value);
  /** A portal that moved customer after evangelist. */
  const customerMoved = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'evangelist', 'customer', 'other'];

  it('follows the portal\'s order, "other" left out of it; HubSpot\'s default order when none is known', () => {
    expect(lifecycleOrder(withOwnStage)).toEqual(withOwnStage.slice(0, -1));
    expect(lifecycleOrder([])).toEqual(HUBSPOT_LIFECYCLE_ORDER);
    expect(lifecycleOrder(['other'])).toEqual(HUBSPOT_LIFECYCLE_ORDER);
  });

  it("reads a stage reached in the portal's order: its own stage in its place, a moved one where it moved", () => {
    expect(stagesReached(PQL, lifecycleOrder(withOwnStage))).toEqual([PQL, 'opportunity', 'customer', 'evangelist']);
    expect(stagesReached('salesqualifiedlead', lifecycleOrder(withOwnStage))).toEqual(['salesqualifiedlead', PQL, 'opportunity', 'customer', 'evangelist']);
    expect(stagesReached('customer', lifecycleOrder(customerMoved))).toEqual(['customer']);
    expect(stagesReached('evangelist', lifecycleOrder(customerMoved))).toEqual(['evangelist', 'customer']);
    expect(stagesOutsideOrder([PQL, 'other', 'lead'], lifecycleOrder(withOwnStage))).toEqual(['other']);
  });

  it('suggests "reached opportunity" in the portal\'s order: its own stage before it is not converted, and not left out either', () => {
    // Left out as still open before: reaching it says something in the portal's order.
    expect(suggestOutcome('hubspot', { lifecyclestage: [PQL, 'lead', 'other'] }, lifecycleOrder(withOwnStage))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'customer', 'evangelist'],
      openValues: ['other'],
    });
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead', 'customer'] }, lifecycleOrder(customerMoved))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'evangelist', 'customer'],
      openValues: ['other'],
    });
  });

  it('suggests, for a portal without opportunity, the first stage past the middle of its order', () => {
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead'] }, ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'customer', 'evangelist'])?.positiveValues).toEqual([
      'salesqualifiedlead', 'customer', 'evangelist',
    ]);
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead'] }, ['lead', 'customer'])?.positiveValues).toEqual(['customer']);
    expect(suggestOutcome('hubspot', { lifecyclestage: ['lead'] }, ['lead'])?.positiveValues).toEqual(['lead']);
  });

  it("labels each stage as the sync stores its outcome in the portal's order: its own stages, moved ones, a portal without opportunity", () => {
    const withoutOpportunity = ['subscriber', 'lead', PQL, 'salesqualifiedlead', 'customer'];
    for (const order of [lifecycleOrder(withOwnStage), lifecycleOrder(customerMoved), withoutOpportunity]) {
      const rule = suggestOutcome('hubspot', { lifecyclestage: ['lead', 'unlisted'] }, order)!;
      for (const stage of [...order, 'other', 'unlisted']) expect([stage, outcomeOf({ lifecyclestage: stage }, rule)]).toEqual([stage, hubspotOutcome(stage, order)]);
    }
  });

  it('makes a rule of the default order follow the portal\'s, keeping the stage reached and the stages the admin left open outside it', () => {
    const madeBefore = { field: 'lifecyclestage', positiveValues: ['salesqualifiedlead', 'opportunity', 'customer', 'evangelist'], openValues: ['other', PQL], openStatus: { field: 'hs_lead_status', values: ['OPEN'] } };
    expect(lifecycleRuleInOrder(madeBefore, lifecycleOrder(withOwnStage))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['salesqualifiedlead', PQL, 'opportunity', 'customer', 'evangelist'],
      openValues: ['other'],
      openStatus: { field: 'hs_lead_status', values: ['OPEN'] },
    });
    // "This stage only" in the default order, a stage in the portal's: reaching it now counts the later ones.
    expect(lifecycleRuleInOrder({ field: 'lifecyclestage', positiveValues: [PQL], openValues: ['other'] }, lifecycleOrder(withOwnStage))).toEqual({
      field: 'lifecyclestage',
      positiveValues: [PQL, 'opportunity', 'customer', 'evangelist'],
      openValues: ['other'],
    });
    // Other 'open' choices stay: the admin unticked "other".
    expect(lifecycleRuleInOrder({ field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'] }, lifecycleOrder(customerMoved))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['customer'],
    });
  });

  it('leaves a rule already in the order, or of another field, as it is (the same rule)', () => {
    const inOrder = suggestOutcome('hubspot', { lifecyclestage: [PQL] }, lifecycleOrder(withOwnStage))!;
    expect(lifecycleRuleInOrder(inOrder, lifecycleOrder(withOwnStage))).toBe(inOrder);
    const status = { field: 'hs_lead_status', positiveValues: ['CONNECTED'] };
    expect(lifecycleRuleInOrder(status, lifecycleOrder(withOwnStage))).toBe(status);
  });

  it("leaves a portal's own stage out as still open when an order without it no longer counts it converted, not as not converted", () => {
    const reachedSql = { field: 'lifecyclestage', positiveValues: ['salesqualifiedlead', PQL, 'opportunity', 'customer', 'evangelist'], openValues: ['other'] };
    expect(lifecycleRuleInOrder(reachedSql, lifecycleOrder([]))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['salesqualifiedlead', 'opportunity', 'customer', 'evangelist'],
      openValues: ['other', PQL],
    });
  });

  const withoutEvangelist = ['subscriber', 'lead', 'salesqualifiedlead', PQL, 'opportunity', 'customer', 'other'];

  it("leaves a rule reaching a stage the order does not place as it is: HubSpot disconnected, the default order would narrow it to that stage", () => {
    const reachedOwnStage = lifecycleRuleInOrder({ field: 'lifecyclestage', positiveValues: [PQL] }, lifecycleOrder(withOwnStage));
    expect(reachedOwnStage.positiveValues).toEqual([PQL, 'opportunity', 'customer', 'evangelist']);
    expect(lifecycleRuleInOrder(reachedOwnStage, lifecycleOrder([]))).toBe(reachedOwnStage);
    // Nor are the stages it leaves open, though the default order places evangelist: the portal does
    // not list it, and its contacts, past customer, would be counted as not converted.
    const reachedOwnStageWithoutEvangelist = lifecycleRuleInOrder({ field: 'lifecyclestage', positiveValues: [PQL], openValues: ['other', 'evangelist'] }, lifecycleOrder(withoutEvangelist));
    expect(reachedOwnStageWithoutEvangelist).toEqual({ field: 'lifecyclestage', positiveValues: [PQL, 'opportunity', 'customer'], openValues: ['other', 'evangelist'] });
    expect(lifecycleRuleInOrder(reachedOwnStageWithoutEvangelist, lifecycleOrder([]))).toBe(reachedOwnStageWithoutEvangelist);
  });

  it("counts, of a rule reaching a stage the portal's order no longer lists, a stage it places as not converted, as the sync stores it, not as still open", () => {
    // Made in HubSpot's default order, its portal's own stage left open; the portal's order, read since, places that stage but not evangelist.
    const madeBefore = { field: 'lifecyclestage', positiveValues: ['evangelist'], openValues: ['other', PQL], openStatus: { field: 'hs_lead_status', values: ['OPEN'] } };
    const order = lifecycleOrder(withoutEvangelist);
    const inOrder = lifecycleRuleInOrder(madeBefore, order);
    expect(inOrder).toEqual({ field: 'lifecyclestage', positiveValues: ['evangelist'], openValues: ['other'], openStatus: { field: 'hs_lead_status', values: ['OPEN'] } });
    // Its contacts were left out of training until the admin chose another stage.
    expect(outcomeOf({ lifecyclestage: PQL }, inOrder)).toBe(hubspotOutcome(PQL, order));
    expect(lifecycleRuleInOrder(inOrder, order)).toBe(inOrder);
  });

  it("offers the portal's stages as the lifecycle stage's values, not HubSpot's defaults it does not have", () => {
    // The sample's own values (`historySample`): the portal's stages are added where they are known.
    const sampled = { lifecyclestage: ['lead', 'customer'], hs_lead_status: ['NEW', 'OPEN'] };
    expect(withKnownOutcomeFields('hubspot', sampled, withoutEvangelist)).toEqual({
      hs_lead_status: ['NEW', 'OPEN'],
      lifecyclestage: [PQL, 'customer', 'lead', 'opportunity', 'other', 'salesqualifiedlead', 'subscriber'],
    });
  });

  it('keeps a sampled stage the portal no longer lists: contacts are at it, and it is offered (outside the order, so still open)', () => {
    const values = withKnownOutcomeFields('hubspot', { lifecyclestage: ['customer', 'evangelist', 'lead'] }, withoutEvangelist);
    expect(values.lifecyclestage).toEqual([PQL, 'customer', 'evangelist', 'lead', 'opportunity', 'other', 'salesqualifiedlead', 'subscriber']);
    expect(suggestOutcome('hubspot', values, lifecycleOrder(withoutEvangelist))).toEqual({
      field: 'lifecyclestage',
      positiveValues: ['opportunity', 'customer'],
      openValues: ['other', 'evangelist'],
    });
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

  it("leaves out a column holding a value longer than a model's rule may compare: the model trained on it could not be stored", () => {
    const records = [{ Notes: 'n'.repeat(MAX_RULE_VALUE_LENGTH + 1), Won: 'Yes' }, { Notes: 'Short', Won: 'No' }];
    expect(fewValuedColumns(['Notes', 'Won'], records)).toEqual({ Won: ['No', 'Yes'] });
    expect(outcomeCandidates({ Notes: ['n'.repeat(MAX_RULE_VALUE_LENGTH), 'Short'] })).toHaveProperty('Notes');
  });
});

describe('withKnownOutcomeFields', () => {
  it("adds a CRM's own outcome field with every value it can hold, keeping the sample's fields, order and spelling", () => {
    // No sampled lead converted: IsConverted had one value, and was no outcome candidate.
    expect(withKnownOutcomeFields('salesforce', { Rating: ['Cold', 'Hot'] })).toEqual({ IsConverted: ['false', 'true'], Rating: ['Cold', 'Hot'] });
    expect(Object.keys(withKnownOutcomeFields('salesforce', { Rating: ['Cold', 'Hot'], Status: ['Open', 'Working'] }))).toEqual(['IsConverted', 'Rating', 'Status']);
    expect(withKnownOutcomeFields('salesforce', { IsConverted: ['False', 'True'] })).toEqual({ IsConverted: ['False', 'True'] });
    expect(withKnownOutcomeFields('hubspot', { lifecyclestage: ['1234567', 'lead'] })).toEqual({
      lifecyclestage: ['1234567', 'customer', 'evangelist', 'lead', 'marketingqualifiedlead', 'opportunity', 'other', 'salesqualifiedlead', 'subscriber'],
    });
    expect(withKnownOutcomeFields('csv', { won: ['no', 'yes'] })).toEqual({ won: ['no', 'yes'] });
  });

  it('keeps a column named __proto__ as an ordinary field', () => {
    const values = withKnownOutcomeFields('salesforce', Object.fromEntries([['__proto__', ['x', 'y']]]));
    expect(Object.getPrototypeOf(values)).toBeNull();
    expect(Object.keys(values)).toEqual(['IsConverted', '__proto__']);
  });
});

describe('a column of one value only', () => {
  it('is kept when named as an outcome, a lifecycle stage or a status, so the forms can say why it is not offered; other constant columns are not', () => {
    const records = Array.from({ length: 400 }, (_, row) => ({ converted: 'no', 'Lead Status': 'Open', region: 'EU', industry: row % 2 ? 'Retail' : 'Software' }));
    expect(fewValuedColumns(['converted', 'Lead Status', 'region', 'industry'], records)).toEqual({ converted: ['no'], 'Lead Status': ['Open'], industry: ['Retail', 'Software'] });
  });

  it('is not suggested as the outcome, whatever its value: every lead would count as converted', () => {
    expect(suggestOutcome('csv', { converted: ['yes'], Status: ['Closed - Converted', 'Open'] })).toEqual({ field: 'Status', positiveValues: ['Closed - Converted'] });
    expect(suggestOutcome('csv', { won: ['Yes'] })).toBeNull();
  });

  it('is offered only when it is the field chosen, and named in the CLI’s words, the chosen one first, at most three, values cut when long', () => {
    const values = { converted: ['no'], industry: ['Retail', 'Software'], won: ['No'] };
    expect(offeredOutcomeFields(values, null)).toEqual(['industry']);
    expect(offeredOutcomeFields(values, 'won')).toEqual(['industry', 'won']);
    expect(oneValueOutcomeNotes(values, 'won')).toEqual([
      '"won" has one value only ("No"); training needs converted and not-converted leads.',
      '"converted" has one value only ("no"); training needs converted and not-converted leads.',
    ]);
    const many = { a_closed: ['x'], b_closed: ['y'], c_closed: ['z'], d_closed: [`long ${'v'.repeat(80)}`] };
    expect(oneValueOutcomeNotes(many, 'd_closed')).toEqual([
      `"d_closed" has one value only ("long ${'v'.repeat(54)}…"); training needs converted and not-converted leads.`,
      '"a_closed" has one value only ("x"); training needs converted and not-converted leads.',
      '"b_closed" has one value only ("y"); training needs converted and not-converted leads.',
    ]);
  });
});

describe('withoutWrittenBack', () => {
  it('leaves out the fields LeadLens wrote its scores to, under any spelling a CRM or its export gives them, and keeps a column named __proto__', () => {
    const values = Object.fromEntries([
      ['LeadLens Tier', ['Cold', 'Hot']],
      ['leadlens_score', ['1', '2']],
      ['IsConverted', ['false', 'true']],
      ['__proto__', ['x', 'y']],
    ]);
    const kept = withoutWrittenBack(values, ['LeadLens_Tier__c', 'LeadLens_Score__c']);
    expect(kept).toEqual(Object.fromEntries([['IsConverted', ['false', 'true']], ['__proto__', ['x', 'y']]]));
    expect(Object.getPrototypeOf(kept)).toBeNull();
    expect(offeredOutcomeFields(kept, null)).toEqual(['IsConverted', '__proto__']);
  });
});
