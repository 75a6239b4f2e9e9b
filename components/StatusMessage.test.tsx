// @vitest-environment happy-dom
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { EmptyState, ErrorState, JobProgressBar, Loading, StatusRegion } from './StatusMessage';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

it('announces loading politely, saying what is loading', () => {
  rendered = render(<Loading what="scored leads" />);
  const status = rendered.container.querySelector('[role="status"]')!;
  expect(status.getAttribute('aria-live')).toBe('polite');
  expect(status.textContent).toBe('Loading scored leads…');
});

it('shows an empty state with its title and what to do next', () => {
  rendered = render(
    <EmptyState title="No scored leads yet">
      <button type="button">Open Options</button>
    </EmptyState>,
  );
  expect(rendered.container.textContent).toBe('No scored leads yetOpen Options');
  expect(rendered.container.querySelector('button')?.textContent).toBe('Open Options');
});

it('raises errors as alerts, with an optional action', () => {
  rendered = render(<ErrorState message="The stored leads could not be read" action={<button type="button">Try again</button>} />);
  const alert = rendered.container.querySelector('[role="alert"]')!;
  expect(alert.querySelector('p')?.textContent).toBe('The stored leads could not be read');
  expect(alert.querySelector('button')?.textContent).toBe('Try again');
  rendered.rerender(<ErrorState message="Failed" />);
  expect(rendered.container.querySelector('[role="alert"] button')).toBeNull();
});

it('labels job progress with counts and a percentage, as text and as a <progress>', () => {
  rendered = render(<JobProgressBar label="Re-tiering stored leads" done={25_000} total={100_000} />);
  const progress = rendered.container.querySelector('progress')!;
  expect(progress.closest('label')?.textContent).toBe('Re-tiering stored leads: 25,000 of 100,000 (25%)');
  expect([progress.getAttribute('value'), progress.getAttribute('max')]).toEqual(['25000', '100000']);
  // Not announced: it comes with its job, too late to be heard; its page says the job in a StatusRegion.
  expect(rendered.container.querySelector('[role="status"], [role="alert"], [aria-live]')).toBeNull();
});

it('says 100 % only once every item is done', () => {
  rendered = render(<JobProgressBar label="Scoring stored leads" done={199_000} total={200_000} />);
  expect(rendered.container.querySelector('label')?.textContent).toBe('Scoring stored leads: 199,000 of 200,000 (99%)');
  rendered.rerender(<JobProgressBar label="Scoring stored leads" done={200_000} total={200_000} />);
  expect(rendered.container.querySelector('label')?.textContent).toBe('Scoring stored leads: 200,000 of 200,000 (100%)');
});

it('keeps a status region on the page while it says nothing, so that what is put in it is announced', () => {
  rendered = render(<StatusRegion>{null}</StatusRegion>);
  const region = rendered.container.querySelector('[role="status"]')!;
  expect(region.textContent).toBe('');
  rendered.rerender(
    <StatusRegion>
      <p>Saved.</p>
    </StatusRegion>,
  );
  expect(rendered.container.querySelector('[role="status"]')).toBe(region);
  expect(region.textContent).toBe('Saved.');
  expect(region.className).toBe('');
  // Words the page shows elsewhere (a progress bar's label) are only spoken.
  rendered.rerender(<StatusRegion visuallyHidden>Syncing HubSpot…</StatusRegion>);
  expect(rendered.container.querySelector('[role="status"]')).toBe(region);
  expect(region.className).toBe('visually-hidden');
});

it('gives a field\u2019s error an id, for the field to be described by it', () => {
  rendered = render(<ErrorState id="host-problem" message="My Domain host: expected your My Domain host" />);
  expect(rendered.container.querySelector('[role="alert"]')?.id).toBe('host-problem');
});

it('shows 0 % and a valid <progress> before the total is known', () => {
  rendered = render(<JobProgressBar label="Scoring stored leads" done={0} total={0} />);
  expect(rendered.container.textContent).toContain('0 of 0 (0%)');
  expect(rendered.container.querySelector('progress')?.getAttribute('max')).toBe('1');
});

it('shows a progress without an end, and the count so far, when nobody can say how much is left', () => {
  rendered = render(<JobProgressBar label="Syncing HubSpot" done={12_400} total={null} />);
  const progress = rendered.container.querySelector('progress')!;
  expect(progress.closest('label')?.textContent).toBe('Syncing HubSpot: 12,400 so far');
  // Indeterminate: no value, so it does not claim to be done.
  expect(progress.hasAttribute('value')).toBe(false);
});

it('shows how far a job is by other means than its count, when it can tell', () => {
  rendered = render(<JobProgressBar label="Importing rows" done={12_400} total={null} fraction={0.4} />);
  const progress = rendered.container.querySelector('progress')!;
  expect(progress.closest('label')?.textContent).toBe('Importing rows: 12,400 so far');
  expect([progress.getAttribute('value'), progress.getAttribute('max')]).toEqual(['0.4', '1']);
});
