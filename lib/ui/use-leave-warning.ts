/** Asking before a page that holds unsaved work is closed or reloaded. */
import { useEffect } from 'react';

/** Asks the browser to confirm leaving: the event cancelled, and its return value set too, which is all some browsers read. */
function askBeforeLeaving(event: BeforeUnloadEvent) {
  event.preventDefault();
  event.returnValue = true;
}

/**
 * While `losesWork`, closing or reloading the page (or its tab) asks first: work that lives only
 * in the page, such as a training in its worker, a trained model not activated yet, or an import
 * under way, would be lost. The browser words the question; no page can.
 */
export function useLeaveWarning(losesWork: boolean): void {
  useEffect(() => {
    if (!losesWork) return;
    window.addEventListener('beforeunload', askBeforeLeaving);
    return () => window.removeEventListener('beforeunload', askBeforeLeaving);
  }, [losesWork]);
}
