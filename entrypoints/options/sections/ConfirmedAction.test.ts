// @vitest-environment happy-dom
/** The status line of an action: where the focus goes when it shows; the inline question: what a screen reader hears, and Escape. */
import { act, createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { click, render, type Rendered } from '@/test/render';
import { ActionStatus, ConfirmButton } from './ConfirmedAction';

let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  document.body.innerHTML = '';
});

/** A page with the action's button (focused, enabled: an action that failed before it was disabled) and another control. */
function focusedTrigger() {
  const trigger = document.createElement('button');
  const other = document.createElement('input');
  document.body.append(trigger, other);
  trigger.focus();
  return { trigger, other };
}

it('takes the focus from the control that started the action, even when that control was never disabled', () => {
  const { trigger } = focusedTrigger();
  rendered = render(createElement(ActionStatus, { failed: true, text: 'It broke', trigger }));
  expect(document.activeElement?.textContent).toBe('It broke');
});

it('leaves the focus on another control the admin moved to, and on an enabled control it was not started from', () => {
  const { trigger, other } = focusedTrigger();
  other.focus();
  rendered = render(createElement(ActionStatus, { text: 'Done.', trigger }));
  expect(document.activeElement).toBe(other);
  rendered.unmount();
  trigger.focus();
  rendered = render(createElement(ActionStatus, { text: 'Done.' }));
  expect(document.activeElement).toBe(trigger);
});

it('describes the question by its warning, and takes Escape as Cancel, the focus back on the button', () => {
  let confirmed = 0;
  rendered = render(
    createElement(ConfirmButton, {
      label: 'Purge everything',
      question: 'Confirm purge',
      confirmLabel: 'Purge',
      disabled: false,
      onConfirm: () => void confirmed++,
      children: 'Deletes every stored lead. This cannot be undone.',
    }),
  );
  const { container } = rendered;
  click(container.querySelector('button')!);
  const group = container.querySelector('[role="group"]')!;
  expect(group.getAttribute('aria-label')).toBe('Confirm purge');
  expect(document.getElementById(group.getAttribute('aria-describedby')!)?.textContent).toBe('Deletes every stored lead. This cannot be undone.');
  expect(document.activeElement?.textContent).toBe('Cancel');
  act(() => void document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
  expect(container.querySelector('[role="group"]')).toBeNull();
  expect(document.activeElement?.textContent).toBe('Purge everything');
  expect(confirmed).toBe(0);
});
