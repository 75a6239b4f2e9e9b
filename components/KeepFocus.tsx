/**
 * Keeping the keyboard's focus on the page while an action runs. A control disabled or taken
 * away under the focus drops it to the page's body, and a keyboard or screen reader user starts
 * again from the top.
 */
import { useEffect, useRef, type ComponentPropsWithRef, type RefObject } from 'react';

type Props = Omit<ComponentPropsWithRef<'button'>, 'type' | 'disabled' | 'aria-disabled'> & {
  type: 'button' | 'submit';
  /** Cannot be used now: its action runs, or waits for something the page says. */
  unavailable: boolean;
};

/**
 * A button that keeps the focus while it cannot be used (pressed, it starts what it then waits
 * for): aria-disabled, not disabled. It says it is unavailable, looks it (page.css), and ignores
 * presses, a submit button's submit too. A form submitted by one must also ignore Enter in its
 * fields meanwhile (in its onSubmit): that submits without a click.
 */
export function FocusKeepingButton({ unavailable, onClick, ...button }: Props) {
  return (
    <button
      {...button}
      aria-disabled={unavailable}
      onClick={(event) => {
        if (unavailable) event.preventDefault();
        else onClick?.(event);
      }}
    />
  );
}

/**
 * A job whose own controls (its Cancel) are shown only while it runs, or a control shown only
 * while `running` holds: when it ends, the focus they had goes back to the first of `targets` (the
 * button that started the job; then the ones to fall back on) on the page that can take it, not
 * to one disabled. Not when the admin has put the focus elsewhere since.
 */
export function useFocusBackWhenJobEnds(running: boolean, ...targets: RefObject<HTMLElement | null>[]): void {
  const ranBefore = useRef(running);
  useEffect(() => {
    const focusLost = document.activeElement === null || document.activeElement === document.body;
    if (ranBefore.current && !running && focusLost) {
      for (const target of targets) {
        target.current?.focus();
        if (target.current && document.activeElement === target.current) break;
      }
    }
    ranBefore.current = running;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the targets are refs: their objects never change
  }, [running]);
}
