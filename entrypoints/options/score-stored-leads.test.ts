import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/db';
import { storedLead } from '../../test/fixtures/stored-lead';
import { scoreStoredLeadsWith } from './score-stored-leads';

const scoreStoredLeads = vi.hoisted(() => vi.fn());
vi.mock('@/lib/messaging/client', () => ({ background: { scoreStoredLeads } }));

const lead = storedLead({ key: 'csv|1', source: 'csv', id: '1', origin: 'csv' });

afterEach(async () => {
  scoreStoredLeads.mockReset();
  await Promise.all(db.leadTables.map((table) => table.clear()));
});

describe('scoreStoredLeadsWith', () => {
  it('asks nothing when no lead is stored', async () => {
    await scoreStoredLeadsWith('model-a');
    expect(scoreStoredLeads).not.toHaveBeenCalled();
  });

  it("asks the background to score the stored leads with the model, and throws the background's error", async () => {
    await db.putLeads([lead]);
    scoreStoredLeads.mockResolvedValueOnce({ ok: true, scored: 1 });
    await scoreStoredLeadsWith('model-a');
    expect(scoreStoredLeads).toHaveBeenCalledWith({ modelId: 'model-a' });
    scoreStoredLeads.mockResolvedValueOnce({ ok: false, error: 'The model could not be loaded' });
    await expect(scoreStoredLeadsWith('model-a')).rejects.toThrow('The model could not be loaded');
  });
});
