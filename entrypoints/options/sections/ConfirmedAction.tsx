/**
 * The parts of an action that cannot be undone (delete a model, purge everything) or that
 * takes its button away (activate a model): a question asked inline first, and one line saying
 * what the action is doing, then what came of it, which takes the focus the gone or disabled
 * button had.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ErrorState } from '@/components/StatusMessage';

interface ConfirmProps {
  label: string;
  /**
   * Whether the action is offered now (default yes): a question open when it stops being offered
   * (the model it deletes activated meanwhile) closes, and is not asked again until asked.
   */
  offered?: boolean;
  ariaLabel?: string;
  /** The name of the question, for screen readers. */
  question: string;
  confirmLabel: string;
  /** The safe choice's label: "Cancel", unless the action is itself a cancelling ("Keep training"). */
  keepLabel?: string;
  disabled: boolean;
  onConfirm(): void;
  /** What the action does and that it cannot be undone. */
  children: ReactNode;
}

/**
 * A button that asks first, inline. The focus goes to Cancel (the safe choice) when the question
 * opens, and back to the button on Cancel (`keepLabel`). Confirmed, the question closes and `onConfirm` runs:
 * its caller says what it does in an `ActionStatus`, which takes the focus.
 */
export function ConfirmButton(props: ConfirmProps) {
  const { button, question } = useConfirmation(props);
  return question ?? button;
}

/**
 * ConfirmButton's button and question apart, for a page that asks elsewhere than in the button's
 * place (a table: in a row of its own under the button's, across the table): `question` is null
 * while it does not ask, `button` while it does.
 */
export function useConfirmation({ label, ariaLabel, question, confirmLabel, keepLabel = 'Cancel', offered = true, disabled, onConfirm, children }: ConfirmProps): {
  button: ReactNode;
  question: ReactNode;
} {
  const [confirming, setConfirming] = useState(false);
  if (confirming && !offered) setConfirming(false);
  const warningId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    if (confirming) cancel.current?.focus();
    else if (cancelled.current) button.current?.focus();
    cancelled.current = false;
  }, [confirming]);
  if (!confirming) {
    return {
      button: (
        <button ref={button} type="button" onClick={() => setConfirming(true)} disabled={disabled} aria-label={ariaLabel}>
          {label}
        </button>
      ),
      question: null,
    };
  }
  const cancelQuestion = () => {
    cancelled.current = true;
    setConfirming(false);
  };
  // The warning is the group's description, so a screen reader says it with the question; Escape is Cancel.
  return {
    button: null,
    question: (
      <span
        role="group"
        aria-label={question}
        aria-describedby={warningId}
        onKeyDown={(event) => {
          if (event.key === 'Escape') cancelQuestion();
        }}
      >
        <span id={warningId}>{children}</span>{' '}
        <button
          type="button"
          onClick={() => {
            setConfirming(false);
            onConfirm();
          }}
          disabled={disabled}
        >
          {confirmLabel}
        </button>{' '}
        <button ref={cancel} type="button" onClick={cancelQuestion}>
          {keepLabel}
        </button>
      </span>
    ),
  };
}

/**
 * A running job's Cancel, in the place of the button that started it, which asks first: its safe
 * choice (`keepLabel`, e.g. "Keep syncing") has the focus, so a second Enter or Space meant for the
 * start button (or the key held down) lands there, not on a Cancel that stops the job just
 * started. With `takesFocus`, it takes the focus the start button had (gone with it) and,
 * confirmed, the focus its question had, until the job ends. `onFocus`: the focus came to it.
 */
export function ConfirmedCancel({
  takesFocus,
  onFocus,
  onConfirm,
  testId,
  ...confirm
}: Omit<ConfirmProps, 'disabled' | 'offered'> & { takesFocus: boolean; onFocus(): void; testId: string }) {
  const area = useRef<HTMLSpanElement>(null);
  const [cancelsConfirmed, setCancelsConfirmed] = useState(0);
  useLayoutEffect(() => {
    const focusLost = document.activeElement === null || document.activeElement === document.body;
    if (takesFocus && focusLost) area.current?.querySelector('button')?.focus();
  }, [takesFocus, cancelsConfirmed]);
  return (
    <span ref={area} onFocus={onFocus} data-testid={testId}>
      <ConfirmButton
        {...confirm}
        disabled={false}
        onConfirm={() => {
          setCancelsConfirmed((count) => count + 1);
          onConfirm();
        }}
      />
    </span>
  );
}

/**
 * Whether the focus is where the action left it: on the page, on a button disabled while its
 * action runs, or still on `trigger`, the control that started it (an action that fails at once
 * may never have disabled it).
 */
function focusIsLeft(trigger: Element | null): boolean {
  const focused = document.activeElement;
  return !focused || focused === document.body || focused === trigger || (focused instanceof HTMLButtonElement && focused.disabled);
}

/**
 * What an action is doing, or what came of it (`failed`: its error). Shown, it takes the focus,
 * unless the admin has since put it on another control than `trigger` (an action can wait a minute).
 */
export function ActionStatus({ text, failed = false, trigger = null }: { text: string; failed?: boolean; trigger?: Element | null }) {
  // Stable: called once, when the line is shown, not at every render.
  const triggerRef = useRef(trigger);
  triggerRef.current = trigger;
  const takeFocus = useCallback((line: HTMLElement | null) => {
    if (line && focusIsLeft(triggerRef.current)) line.focus();
  }, []);
  return failed ? (
    <div ref={takeFocus} tabIndex={-1}>
      <ErrorState message={text} />
    </div>
  ) : (
    <p ref={takeFocus} role="status" tabIndex={-1}>
      {text}
    </p>
  );
}
