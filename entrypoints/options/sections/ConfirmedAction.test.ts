// @vitest-environment happy-dom
/** The status line of an action: where the focus goes when it shows. */
import { createElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { render, type Rendered } from '@/test/render';
import { ActionStatus } from './ConfirmedAction';

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
