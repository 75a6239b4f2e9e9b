import { useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode, type RefObject } from 'react';

/**
 * Where a region takes its width from. `container`: its container's alone, `contain` keeping the
 * content's width out of it, which a figure in a row of charts would otherwise take (a pair's table
 * made the options page 1,802 px wide at 1,280); a query container, so that the caption of the table
 * it holds wraps within it (page.css). `content`: its content's, up to its container's (a table
 * beside the tier donut in a row that wraps, where a contained region would be no wider than nothing).
 */
type RegionWidth = 'container' | 'content';

const regionStyle: Record<RegionWidth, CSSProperties> = {
  container: { overflowX: 'auto', contain: 'inline-size', containerType: 'inline-size' },
  content: { overflowX: 'auto', maxWidth: '100%' },
};

/**
 * Whether the element given `ref` is narrower than what it holds, followed as it or what it holds
 * is resized (a panel narrowed, a table's next page); false until laid out.
 */
function useScrollsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setScrolls(element.scrollWidth > element.clientWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, [ref]);
  return scrolls;
}

/**
 * A part that may be wider than the page (a table of many columns; any table in a zoomed-in side
 * panel, 180 CSS px wide at 200 %) scrolls sideways in a box of its own, the page around it
 * reflowing rather than scrolling sideways. While it scrolls, it is a region named by `label` (the
 * caption of the table it holds) that a keyboard reaches and scrolls; while all of it is in sight,
 * it adds no keyboard stop or landmark.
 */
export function SidewaysScroll({ label, widthFrom = 'container', children }: { label: string; widthFrom?: RegionWidth; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const scrolls = useScrollsSideways(box);
  const region = scrolls ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {};
  return (
    <div ref={box} {...region} className="sideways-scroll" style={regionStyle[widthFrom]}>
      {children}
    </div>
  );
}
