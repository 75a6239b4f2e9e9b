import 'fake-indexeddb/auto';
import { beforeEach, expect, it } from 'vitest';
import { db } from '../db/db';
import { oweScoringOfEveryLead, owedScoringModel, readJob, resumeUnfinishedJob, writeJob } from './progress';

beforeEach(() => Promise.all(db.tables.map((table) => table.clear())));

it('settles the scoring owed with a model when its run over every lead, left running, cannot even be taken up again: it ends failed, tried again as failed runs are, not at every start', async () => {
  await oweScoringOfEveryLead('damaged-1');
  await writeJob('scoring', { modelId: 'damaged-1', state: 'running', done: 1, total: 2, startedAt: 1, resumeAfter: 'csv|1' });
  await expect(resumeUnfinishedJob('scoring', () => Promise.reject(new Error('The manifest of damaged-1 cannot be read')))).rejects.toThrow('cannot be read');
  expect(await readJob('scoring')).toMatchObject({ modelId: 'damaged-1', state: 'failed', done: 1, total: 2, error: 'The manifest of damaged-1 cannot be read' });
  expect(await owedScoringModel()).toBeNull();
});

it('leaves a scoring of every lead owed when the run that cannot be taken up again covered one CRM’s leads', async () => {
  await oweScoringOfEveryLead('damaged-1');
  await writeJob('scoring', { modelId: 'damaged-1', state: 'running', done: 0, total: 1, startedAt: 1, source: 'hubspot' });
  await expect(resumeUnfinishedJob('scoring', () => Promise.reject(new Error('unreadable')))).rejects.toThrow('unreadable');
  expect(await owedScoringModel()).toBe('damaged-1');
});
