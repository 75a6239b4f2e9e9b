/** Messages as their receivers parse them: the content script's score request (page fields within the limits the page readers keep to), and requests to score stored leads. */
import { expect, it } from 'vitest';
import { PAGE_FIELD_LIMITS } from '../crm/types';
import { backgroundProtocol, CONTENT_SCRIPT_MESSAGES, offscreenProtocol, ScoreRequestSchema } from './protocol';

const request = (fields: Record<string, string>) => ({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields });
const manyFields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`Field_${i}__c`, 'x']));

it('takes as many page fields as a page reader returns, and refuses more', () => {
  expect(ScoreRequestSchema.safeParse(request(manyFields(PAGE_FIELD_LIMITS.maxFields))).success).toBe(true);
  expect(ScoreRequestSchema.safeParse(request(manyFields(PAGE_FIELD_LIMITS.maxFields + 1))).success).toBe(false);
  expect(ScoreRequestSchema.safeParse(request({ ['n'.repeat(PAGE_FIELD_LIMITS.maxNameLength + 1)]: 'x' })).success).toBe(false);
  expect(ScoreRequestSchema.safeParse(request({ Title: 'x'.repeat(PAGE_FIELD_LIMITS.maxValueLength + 1) })).success).toBe(false);
});

it('asks for a CSV import’s leads to be scored by their source alone (the background takes the active model), and the offscreen document to score one source’s leads, CSV too', () => {
  const { scoreStoredLeads } = backgroundProtocol;
  expect(scoreStoredLeads.input.parse({ source: 'csv' })).toEqual({ source: 'csv' });
  expect(scoreStoredLeads.input.parse({ modelId: 'model-1' })).toEqual({ modelId: 'model-1' });
  expect(scoreStoredLeads.input.safeParse({ source: 'pipedrive' }).success).toBe(false);
  expect(scoreStoredLeads.input.safeParse({}).success).toBe(false);
  expect(offscreenProtocol.scoreStoredLeads.input.parse({ modelId: 'model-1', source: 'csv', askedAt: 1 })).toEqual({ modelId: 'model-1', source: 'csv', askedAt: 1 });
});

it('lets a CRM page say it became visible, naming no tab: the background takes the sender’s', () => {
  expect(CONTENT_SCRIPT_MESSAGES).toContain('crmPageVisible');
  expect(backgroundProtocol.crmPageVisible.input.parse({ tabId: 9 })).toEqual({});
});

it('accepts `{ ok: false, error }` as the reply to every message, as the router sends it for a request it cannot answer', () => {
  const failure = { ok: false, error: 'Unknown message type' };
  for (const [type, spec] of Object.entries({ ...backgroundProtocol, ...offscreenProtocol })) {
    expect({ type, reply: spec.output.safeParse(failure).data }).toEqual({ type, reply: failure });
  }
});
