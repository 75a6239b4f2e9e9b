/** A model's outcome rule records the minimum age its training window let in; the figures on stored leads count outcomes from it. */
import { describe, expect, it } from 'vitest';
import { describeSettledLeads, describeWhenOutcomeCounts, latestExportDate, ModelOutcomeRuleSchema, OUTCOME_SETTLED_DAYS, outcomeSettled, settledDaysOf, windowCountedFrom } from './outcome-rule';

const DAY = 86_400_000;
const now = Date.parse('2026-11-20T00:00:00Z');
const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };

describe('a model outcome rule', () => {
  it('keeps the minimum age it was trained with, also where the manifest reads it (strictly)', () => {
    expect(ModelOutcomeRuleSchema.strict().parse({ ...rule, settledAfterDays: 90 })).toEqual({ ...rule, settledAfterDays: 90 });
    expect(ModelOutcomeRuleSchema.parse({ ...rule, settledAfterDays: 0 }).settledAfterDays).toBe(0);
  });

  it('reads a rule stored before it recorded one as before: 30 days', () => {
    const stored = ModelOutcomeRuleSchema.strict().parse(rule);
    expect(stored).toEqual(rule);
    expect(settledDaysOf(stored)).toBe(OUTCOME_SETTLED_DAYS);
    expect(settledDaysOf(undefined)).toBe(30);
    expect(settledDaysOf({ ...rule, settledAfterDays: 90 })).toBe(90);
    expect(settledDaysOf({ ...rule, settledAfterDays: 0 })).toBe(0);
  });

  it.each([-1, 2.5, 3651, Number.NaN])('refuses %s days', (days) => {
    expect(ModelOutcomeRuleSchema.safeParse({ ...rule, settledAfterDays: days }).success).toBe(false);
  });
});

describe('outcomeSettled', () => {
  it('takes a lead as settled from the minimum age given, 30 days when none is', () => {
    const created = (days: number) => now - days * DAY;
    expect(outcomeSettled(created(45), now)).toBe(true);
    expect(outcomeSettled(created(29), now)).toBe(false);
    expect(outcomeSettled(created(45), now, 90)).toBe(false);
    expect(outcomeSettled(created(90), now, 90)).toBe(true);
    expect(outcomeSettled(now, now, 0)).toBe(true);
    // A lead without a created date counts, whatever the age.
    expect(outcomeSettled(Number.NaN, now, 90)).toBe(true);
  });
});

describe('latestExportDate', () => {
  it('gives the same latest date read a chunk at a time as read at once, passing over dates that cannot be the export’s', () => {
    const exported = now - 150 * DAY;
    const created = [exported - 90 * DAY, 0, exported, now + 365 * DAY, exported - 5 * DAY];
    expect(latestExportDate(created, now)).toBe(exported);
    expect(latestExportDate(created.slice(2), now, latestExportDate(created.slice(0, 2), now))).toBe(exported);
    // A chunk with no such date keeps the latest so far; none at all is -Infinity, and the file's ages count from now.
    expect(latestExportDate([0, now + 365 * DAY], now, exported)).toBe(exported);
    expect(latestExportDate([0], now)).toBe(Number.NEGATIVE_INFINITY);
    expect(windowCountedFrom('csv', [latestExportDate([0], now)], now)).toBe(now);
    expect(windowCountedFrom('csv', [latestExportDate(created, now)], now)).toBe(exported);
  });
});

describe('the words', () => {
  it('say the model’s own minimum age, and that every lead counts when it has none', () => {
    expect(describeSettledLeads(90, true)).toBe('created 90 or more days ago, or learnt from');
    expect(describeSettledLeads(30, false)).toBe('created 30 or more days ago');
    expect(describeSettledLeads(0, true)).toBe('however new');
    expect(describeWhenOutcomeCounts(90, true)).toBe("a lead's outcome counts once it is 90 days old, or the model learnt from it");
    expect(describeWhenOutcomeCounts(1, false)).toBe("a lead's outcome counts once it is 1 day old");
    expect(describeWhenOutcomeCounts(0, true)).toBe("a lead's outcome counts however new it is");
  });
});
