/**
 * Peak memory of the extension while it works: the V8 heap of its service worker (and of its
 * offscreen document, when one exists) over CDP, and the resident memory of Chromium's
 * processes from /proc, sampled every `intervalMs`.
 *
 * Playwright opens CDP sessions on pages and on the browser, not on a Worker, and does not
 * route flat child sessions (its `send` takes no session id). So each extension target is
 * attached from the browser session in non-flat mode and spoken to through
 * `Target.sendMessageToTarget`. A worker restarted by Chrome is a new target, attached anew.
 * (An attached debugger keeps Chrome from stopping an idle worker; a running sync keeps it
 * alive anyway.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, CDPSession } from 'playwright-core';

export interface MemoryPeaks {
  /** Largest `Runtime.getHeapUsage().usedSize` of any service-worker instance, MB. */
  serviceWorkerHeapMb: number;
  /** Same for the offscreen document; null when none was open during the run. */
  offscreenHeapMb: number | null;
  /** Largest RSS of Chromium's browser process alone, and of its whole process tree (shared pages counted in each process), MB. */
  browserProcessRssMb: number;
  chromiumTreeRssMb: number;
  samples: number;
}

export interface MemorySampler {
  /** The peaks so far. */
  peaks(): MemoryPeaks;
  stop(): Promise<MemoryPeaks>;
}

type ExtensionTarget = 'serviceWorker' | 'offscreen';
type Reply = { id?: number; result?: unknown; error?: { message: string } };
const MB = 1e6;
/** A target that goes away mid-call never answers. */
const REPLY_TIMEOUT_MS = 5_000;

/** Non-flat CDP sessions on child targets, multiplexed over one browser-level session. */
class ChildSessions {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  /** targetId → sessionId */
  readonly attached = new Map<string, string>();

  constructor(private readonly browser: CDPSession) {
    browser.on('Target.receivedMessageFromTarget', ({ message }) => {
      const reply = JSON.parse(message) as Reply;
      if (reply.id === undefined) return; // an event, not a reply
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    browser.on('Target.detachedFromTarget', ({ targetId }) => targetId && this.attached.delete(targetId));
  }

  async attach(targetId: string): Promise<string> {
    const known = this.attached.get(targetId);
    if (known) return known;
    const { sessionId } = await this.browser.send('Target.attachToTarget', { targetId, flatten: false });
    this.attached.set(targetId, sessionId);
    return sessionId;
  }

  async send<T>(sessionId: string, method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => this.pending.delete(id) && resolve({ error: { message: 'no reply' } }), REPLY_TIMEOUT_MS);
    });
    await this.browser.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    const { result, error } = await reply;
    if (error) throw new Error(`${method}: ${error.message}`);
    return result as T;
  }
}

function processTable(): Map<number, { ppid: number; cmdline: string }> {
  const table = new Map<number, { ppid: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat, after the parenthesised command name (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // The process ended between readdir and read.
    }
  }
  return table;
}

function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? (Number(match[1]) * 1024) / MB : 0;
  } catch {
    return 0;
  }
}

/** RSS of the browser process started on `profile`, and of it plus all its descendants. */
function chromiumRss(profile: string): { browser: number; tree: number } {
  const table = processTable();
  const browserPid = [...table].find(([, p]) => p.cmdline.includes(`--user-data-dir=${profile}`) && !p.cmdline.includes('--type='))?.[0];
  if (browserPid === undefined) return { browser: 0, tree: 0 };
  const tree = new Set([browserPid]);
  // Parents precede children in pid order only usually: repeat until nothing is added.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
    }
  }
  return { browser: rssMb(browserPid), tree: [...tree].reduce((sum, pid) => sum + rssMb(pid), 0) };
}

export async function sampleExtensionMemory(context: BrowserContext, extensionId: string, profile: string, intervalMs = 250): Promise<MemorySampler> {
  const browser = context.browser();
  if (!browser) throw new Error('No Browser behind this persistent context: cannot open a browser-level CDP session');
  const cdp = await browser.newBrowserCDPSession();
  const children = new ChildSessions(cdp);
  const origin = `chrome-extension://${extensionId}/`;
  const peaks: MemoryPeaks = { serviceWorkerHeapMb: 0, offscreenHeapMb: null, browserProcessRssMb: 0, chromiumTreeRssMb: 0, samples: 0 };
  const kindOf = (type: string, url: string): ExtensionTarget | null =>
    !url.startsWith(origin) ? null : type === 'service_worker' ? 'serviceWorker' : url.startsWith(`${origin}offscreen.html`) ? 'offscreen' : null;

  async function sample(): Promise<void> {
    const { targetInfos } = await cdp.send('Target.getTargets');
    for (const target of targetInfos) {
      const kind = kindOf(target.type, target.url);
      if (!kind) continue;
      try {
        const sessionId = await children.attach(target.targetId);
        const { usedSize } = await children.send<{ usedSize: number }>(sessionId, 'Runtime.getHeapUsage');
        const mb = usedSize / MB;
        if (kind === 'serviceWorker') peaks.serviceWorkerHeapMb = Math.max(peaks.serviceWorkerHeapMb, mb);
        else peaks.offscreenHeapMb = Math.max(peaks.offscreenHeapMb ?? 0, mb);
      } catch {
        // The target went away between getTargets and the call: its last sample stands.
        children.attached.delete(target.targetId);
      }
    }
    const rss = chromiumRss(profile);
    peaks.browserProcessRssMb = Math.max(peaks.browserProcessRssMb, rss.browser);
    peaks.chromiumTreeRssMb = Math.max(peaks.chromiumTreeRssMb, rss.tree);
    peaks.samples++;
  }

  let stopped = false;
  // One sample at a time: the next is scheduled when the last is done, not on a fixed clock.
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await sample();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  return {
    peaks: () => ({ ...peaks }),
    async stop() {
      stopped = true;
      await loop;
      await cdp.detach();
      return peaks;
    },
  };
}
