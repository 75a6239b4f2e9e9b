import { expect, it } from 'vitest';
import { syncGoals } from './sync-goals';

const clean = { duplicates: 0, lost: 0, unexpected: 0, peakHeapMb: 20 };

it('gives every goal its verdict in the extension, the peak heap included', () => {
  expect(syncGoals('extension', clean).map(({ goal, met }) => [goal, met])).toEqual([
    ['0 duplicates', true],
    ['0 lost', true],
    ['0 stored records the CRM does not have', true],
    ['peak heap ≤ 300 MB (service worker)', true],
  ]);
  expect(syncGoals('extension', { ...clean, peakHeapMb: 301 }).filter((goal) => !goal.met).map((goal) => goal.goal)).toEqual(['peak heap ≤ 300 MB (service worker)']);
});

it('counts stored records the CRM does not have against the run', () => {
  expect(syncGoals('node', { ...clean, unexpected: 2 }).find((goal) => !goal.met)).toEqual({ goal: '0 stored records the CRM does not have', figure: 2, met: false });
});

it("does not judge the Node process's heap, which is not the extension's", () => {
  expect(syncGoals('node', { ...clean, peakHeapMb: 310 }).every((goal) => goal.met)).toBe(true);
  expect(syncGoals('node', clean).map((goal) => goal.goal)).not.toContain('peak heap ≤ 300 MB (service worker)');
});
