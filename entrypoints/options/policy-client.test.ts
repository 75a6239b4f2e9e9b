/**
 * The stored outcomes query that the model report and the tier policy share: read again when
 * what it comes from changes, not each time the options tab regains focus.
 */
import { focusManager, QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, expect, it } from 'vitest';
import { queryKeys } from '@/lib/query-keys';
import { labelledQuery } from './policy-client';

afterEach(() => focusManager.setFocused(undefined));

it('reads the stored outcomes again when the leads change, not when the page regains focus', async () => {
  let reads = 0;
  const client = new QueryClient();
  client.mount(); // listens for focus, as the page's QueryClientProvider does
  // The real query's options, with a read that counts in place of the policy worker's.
  const countedRead = async () => {
    reads += 1;
    return { labels: new Uint8Array(), probabilities: new Float64Array(), heldOut: 0, ranked: new Float64Array() };
  };
  const observer = new QueryObserver(client, { ...labelledQuery('model-a'), queryFn: countedRead });
  const unsubscribe = observer.subscribe(() => undefined);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  await settle();
  expect(reads).toBe(1);

  // The rep switches to the CRM tab and back.
  focusManager.setFocused(false);
  focusManager.setFocused(true);
  await settle();
  expect(reads).toBe(1);

  // A sync's, scoring's or re-tier's end invalidates the leads (the options page's App, Sync).
  await client.invalidateQueries({ queryKey: queryKeys.leads() });
  expect(reads).toBe(2);
  unsubscribe();
  client.unmount();
  client.clear();
});
