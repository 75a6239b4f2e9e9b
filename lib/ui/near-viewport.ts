/** Drawing heavy parts of a page (charts) only when the reader gets near them, and one per task. */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/** Parts waiting to be drawn, one per task (module state of the page, not of the background). */
const drawQueue: (() => void)[] = [];

function drawInTurn(draw: () => void): void {
  drawQueue.push(draw);
  if (drawQueue.length === 1) setTimeout(drawNext, 0);
}

// Each draw renders and commits within its own task (flushSync): left to React's scheduler, two
// charts' updates could land in one render and one long task.
function drawNext(): void {
  const draw = drawQueue.shift();
  if (draw) flushSync(draw);
  if (drawQueue.length > 0) setTimeout(drawNext, 0);
}

/**
 * Whether the element behind the ref may draw: once it has come within `margin` of the
 * viewport, in its turn (one part per task, so several charts scrolled into view together do
 * not block the page in one long task). It stays true once it has; where there is no
 * IntersectionObserver, everything draws in turn at once.
 */
export function useNearViewport<T extends Element>(margin = '600px'): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (near || !element) return;
    let queued = false;
    const queue = () => {
      if (queued) return;
      queued = true;
      drawInTurn(() => setNear(true));
    };
    if (typeof IntersectionObserver === 'undefined') {
      queue();
      return;
    }
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && queue(), { rootMargin: margin });
    observer.observe(element);
    return () => observer.disconnect();
  }, [near, margin]);
  return [ref, near];
}

/**
 * `value`, taken up in its turn: a part that redraws when it changes does so in a task of its
 * own, after the parts queued before it (several charts fed by one value redraw one per task).
 */
export function useInTurn<T>(value: T): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (value !== shown) drawInTurn(() => setShown(() => value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return shown;
}
