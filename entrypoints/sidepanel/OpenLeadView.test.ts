// @vitest-environment happy-dom
import { createElement } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { NO_READABLE_FIELDS } from '@/lib/background/score-lead';
import { render, type Rendered } from '@/test/render';
import { OpenLeadView } from './OpenLeadView';

// The open-lead query as it ends when the background refuses the lead (its reply is not ok).
vi.mock('./hooks', () => ({
  useOpenLead: () => ({ tabId: 7, lead: { isPending: false, isError: true, error: new Error(NO_READABLE_FIELDS) } }),
  useManifest: () => ({ isPending: true }),
}));

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

it('says why a lead was not scored in the words of its badge, and shows no score', () => {
  rendered = render(createElement(OpenLeadView));
  expect(rendered.container.querySelector('[role="alert"]')?.textContent).toBe(`LeadLens could not score this lead: ${NO_READABLE_FIELDS}`);
  expect(rendered.container.textContent).not.toMatch(/score \d/);
});
