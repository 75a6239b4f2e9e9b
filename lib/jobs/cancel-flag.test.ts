import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, expect, it, vi } from 'vitest';
import { listenForCancel } from './cancel-flag';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

beforeEach(() => fakeBrowser.reset());

it('hears a cancel asked while the job runs, and one asked before it listened', async () => {
  const running = await listenForCancel('job-cancel');
  expect(running.signal.aborted).toBe(false);
  await fakeBrowser.storage.session.set({ 'job-cancel': true });
  expect(running.signal.aborted).toBe(true);
  running.stop();

  // Asked between the job's last look and its listening: still heard.
  const late = await listenForCancel('job-cancel');
  expect(late.signal.aborted).toBe(true);
  late.stop();
});

it('hears nothing once stopped, nor a cancel of another job', async () => {
  const job = await listenForCancel('job-cancel');
  await fakeBrowser.storage.session.set({ 'other-cancel': true });
  expect(job.signal.aborted).toBe(false);
  job.stop();
  await fakeBrowser.storage.session.set({ 'job-cancel': true });
  expect(job.signal.aborted).toBe(false);
});
