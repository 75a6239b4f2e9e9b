import type { Page } from 'playwright-core';
import { percentText } from '../../lib/presentation';

/** The size the demo and the README's record-page screenshots show a CRM page at. */
export const RECORD_PAGE_VIEWPORT = { width: 1280, height: 820 };

/**
 * Waits for the page's LeadLens badge to score (or fail), opens its popover by hovering, and says
 * what it shows in one line: `hot 96/99 (35.6% likely to convert)`, or why it could not score.
 */
export async function showBadgeWithPopover(page: Page): Promise<string> {
  const badge = page.locator('leadlens-badge[data-leadlens-state="scored"], leadlens-badge[data-leadlens-state="error"]');
  await badge.waitFor({ timeout: 20_000 });
  await page.locator('leadlens-badge button').hover();
  const state = await badge.getAttribute('data-leadlens-state');
  if (state === 'error') return `could not score: ${await page.locator('leadlens-badge [role="region"]').innerText()}`;
  const tier = await badge.getAttribute('data-leadlens-tier');
  const score = await badge.getAttribute('data-leadlens-score');
  const probability = Number(await badge.getAttribute('data-leadlens-probability'));
  return `${tier} ${score}/99 (${percentText((probability * 100).toFixed(1))} likely to convert)`;
}
