/** The content script's score request, as the background parses it: page fields within the limits the page readers keep to. */
import { expect, it } from 'vitest';
import { PAGE_FIELD_LIMITS } from '../crm/types';
import { ScoreRequestSchema } from './protocol';

const request = (fields: Record<string, string>) => ({ crm: 'salesforce', recordId: '00Q5e00000AbCdEAAV', fields });
const manyFields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`Field_${i}__c`, 'x']));

it('takes as many page fields as a page reader returns, and refuses more', () => {
  expect(ScoreRequestSchema.safeParse(request(manyFields(PAGE_FIELD_LIMITS.maxFields))).success).toBe(true);
  expect(ScoreRequestSchema.safeParse(request(manyFields(PAGE_FIELD_LIMITS.maxFields + 1))).success).toBe(false);
  expect(ScoreRequestSchema.safeParse(request({ ['n'.repeat(PAGE_FIELD_LIMITS.maxNameLength + 1)]: 'x' })).success).toBe(false);
  expect(ScoreRequestSchema.safeParse(request({ Title: 'x'.repeat(PAGE_FIELD_LIMITS.maxValueLength + 1) })).success).toBe(false);
});
