/**
 * What makes an extension page scroll sideways when it is zoomed in (a 360 px side panel at 200 %
 * is 180 CSS px wide, the options page at 400 % of 1,280 px is 320), found in the page: run it with
 * `page.evaluate(sidewaysFaults)`. Only a wide part (a table) may scroll sideways, within a region
 * of its own that is named and reached by keyboard; the page itself must not.
 */

/** What scrolls the page sideways as laid out now. */
export interface SidewaysFaults {
  /** How far the page scrolls sideways (px). */
  pageOverflow: number;
  /** Each element reaching past the page's right edge where its parent does not, outside any part that scrolls or clips sideways: what widens the page. */
  pastThePage: string[];
  /** Each table reaching past the page's edge or past its region's, not held in a named region reached by keyboard that scrolls sideways within the page. */
  tablesOutsideRegions: string[];
  /** How many tables are wider than the page or their region: a width at which none is shows nothing of the regions. */
  wideTables: number;
}

/** In the page: its `SidewaysFaults`. Self-contained, as `page.evaluate` runs it. */
export function sidewaysFaults(): SidewaysFaults {
  const pageRight = document.documentElement.clientWidth;
  const named = (element: Element) =>
    `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : ''} "${(element.textContent ?? '').trim().slice(0, 40)}"`;
  const scrollsOrClipsSideways = (element: Element) => getComputedStyle(element).overflowX !== 'visible';
  const insideSidewaysScroll = (element: Element) => {
    for (let ancestor = element.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
      if (scrollsOrClipsSideways(ancestor)) return true;
    }
    return false;
  };
  const pastThePage: string[] = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (!(element instanceof HTMLElement || element instanceof SVGSVGElement) || element.closest('.visually-hidden')) continue;
    const right = element.getBoundingClientRect().right;
    const parentRight = element.parentElement?.getBoundingClientRect().right ?? 0;
    if (right > pageRight + 0.5 && parentRight <= pageRight + 0.5 && !insideSidewaysScroll(element)) {
      pastThePage.push(`${named(element)}: ${Math.round(right - pageRight)} px past the page`);
    }
  }
  const tablesOutsideRegions: string[] = [];
  let wideTables = 0;
  for (const table of document.querySelectorAll('table')) {
    if (table.offsetParent === null) continue;
    const region = table.closest<HTMLElement>('[role="region"]');
    const right = table.getBoundingClientRect().right;
    if (right <= pageRight + 0.5 && (!region || right <= region.getBoundingClientRect().right + 0.5)) continue;
    wideTables++;
    const held =
      region !== null &&
      (region.getAttribute('aria-label') ?? '').trim() !== '' &&
      region.tabIndex === 0 &&
      getComputedStyle(region).overflowX === 'auto' &&
      region.getBoundingClientRect().right <= pageRight + 0.5;
    if (!held) tablesOutsideRegions.push(`${table.caption?.textContent || `the table headed ${table.querySelector('th')?.textContent}`}: ${Math.round(right - pageRight)} px past the page`);
  }
  return { pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth, pastThePage, tablesOutsideRegions, wideTables };
}
