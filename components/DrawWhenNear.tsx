/**
 * Draws its children once the reader scrolls near them; until then a placeholder of the same
 * height says what will be drawn there. For the many charts at the bottom of a page: drawn at
 * once on load, they would block the page for seconds.
 */
import type { ReactNode } from 'react';
import { useNearViewport } from '@/lib/ui/near-viewport';

export function DrawWhenNear({ what, width, height, children }: { what: string; width: number; height: number; children: ReactNode }) {
  const [ref, near] = useNearViewport<HTMLDivElement>();
  if (near) return <>{children}</>;
  return (
    <div ref={ref} className="draw-when-near" style={{ width, minHeight: height }} aria-busy="true">
      <p style={{ margin: 0, fontSize: 12 }}>{what}: drawn when you scroll here</p>
    </div>
  );
}
