import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../db/db';
import { carryPolicyFigures, forgetPolicyFigures, keepPolicyFigures, policyFiguresOf } from './policy-figures';

const APPLIED = { revenuePerConversion: 5000, costPerContact: 40, leadsPerPeriod: 400 };

describe('policy figures', () => {
  beforeEach(() => db.settings.clear());

  it('keeps the figures a policy was applied with for its model alone, the last applied replacing the one before', async () => {
    expect(await policyFiguresOf('model-a')).toBeNull();
    await keepPolicyFigures('model-a', APPLIED);
    expect(await policyFiguresOf('model-a')).toEqual(APPLIED);
    expect(await policyFiguresOf('model-b')).toBeNull();
    await keepPolicyFigures('model-a', { ...APPLIED, leadsPerPeriod: 250 });
    expect(await policyFiguresOf('model-a')).toEqual({ ...APPLIED, leadsPerPeriod: 250 });
  });

  it('reads a stored value the form would not take as none', async () => {
    const stored = async (value: unknown) => {
      await db.settings.put({ key: 'policyFigures:model-a', value });
      return policyFiguresOf('model-a');
    };
    expect(await stored('5000')).toBeNull();
    expect(await stored({ revenuePerConversion: 5000, costPerContact: 40 })).toBeNull();
    expect(await stored({ ...APPLIED, revenuePerConversion: 0 })).toBeNull();
    expect(await stored({ ...APPLIED, costPerContact: -1 })).toBeNull();
    expect(await stored({ ...APPLIED, leadsPerPeriod: 2.5 })).toBeNull();
    expect(await stored({ ...APPLIED, leadsPerPeriod: 1e8 })).toBeNull();
    expect(await stored({ ...APPLIED, revenuePerConversion: Number.NaN })).toBeNull();
    expect(await stored({ ...APPLIED, costPerContact: 0 })).toEqual({ ...APPLIED, costPerContact: 0 });
  });

  it('keeps nothing the form would not take', async () => {
    await expect(keepPolicyFigures('model-a', { ...APPLIED, leadsPerPeriod: 0 })).rejects.toThrow();
    expect(await policyFiguresOf('model-a')).toBeNull();
  });

  it('gives a model that takes over a policy the figures of the first model replaced that has some, and forgets them when asked', async () => {
    await keepPolicyFigures('old-active', APPLIED);
    await carryPolicyFigures(['none-kept', 'old-active'], 'retrained');
    expect(await policyFiguresOf('retrained')).toEqual(APPLIED);
    await carryPolicyFigures(['none-kept'], 'another');
    expect(await policyFiguresOf('another')).toBeNull();
    await forgetPolicyFigures('retrained');
    expect(await policyFiguresOf('retrained')).toBeNull();
    expect(await policyFiguresOf('old-active')).toEqual(APPLIED);
  });
});
