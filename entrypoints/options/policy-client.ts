/**
 * The options page's side of the policy worker: one worker for the page's lifetime, one
 * promise per request. Sections call these from TanStack Query functions.
 */
import { queryOptions } from '@tanstack/react-query';
import type { Calibration, TierPolicy } from '@/lib/ml/manifest';
import type { Economics, PolicyPreview } from '@/lib/ml/tier-policy';
import type { TierThresholds } from '@/lib/ml/train/thresholds';
import { queryKeys } from '@/lib/query-keys';
import { PolicyReplySchema, type Labelled, type PolicyReply, type PolicyRequest } from './policy-protocol';

type Pending = { resolve(reply: PolicyReply): void; reject(error: Error): void };
type RequestBody = PolicyRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error) {
  for (const request of pending.values()) request.reject(error);
  pending.clear();
  worker?.terminate();
  worker = null; // the next request starts a fresh worker
}

function policyWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./policy-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent) => {
    const parsed = PolicyReplySchema.safeParse(event.data);
    if (!parsed.success) return failAll(new Error(`The policy worker sent an unexpected message: ${parsed.error.message}`));
    const request = pending.get(parsed.data.id);
    pending.delete(parsed.data.id);
    request?.resolve(parsed.data);
  };
  worker.onerror = (event) => failAll(new Error(event.message || 'The policy worker failed'));
  return worker;
}

async function ask(body: RequestBody): Promise<PolicyReply> {
  const id = nextId++;
  const reply = await new Promise<PolicyReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    policyWorker().postMessage({ ...body, id });
  });
  if (reply.type === 'error') throw new Error(reply.message);
  return reply;
}

async function loadLabelled(modelId: string): Promise<Labelled> {
  const reply = await ask({ type: 'labelled', modelId });
  if (reply.type !== 'labelled') throw new Error(`The policy worker answered "${reply.type}" to "labelled"`);
  return reply.data;
}

/** `policy`'s preview on `data`, each lead counted as `countedLabelled` counts it under the policy and the model's `calibration`. */
export async function previewInWorker(data: Labelled, policy: TierPolicy, calibration: Calibration, economics: Economics, fixed: TierThresholds): Promise<PolicyPreview> {
  const reply = await ask({ type: 'preview', data, policy, calibration, economics, fixed });
  if (reply.type !== 'preview') throw new Error(`The policy worker answered "${reply.type}" to "preview"`);
  return reply.preview;
}

/**
 * The stored (probability, outcome) pairs of a model, shared by the model report and the tier policy.
 * Under the leads' key, so read again whenever what they come from changes (a sync, scoring or
 * re-tier ends, leads imported or deleted); not as the page regains focus, which the query
 * client's default would do: every stored lead each time, and the tier preview computed again.
 */
export const labelledQuery = (modelId: string) =>
  queryOptions({ queryKey: queryKeys.labelledLeads(modelId), queryFn: () => loadLabelled(modelId), staleTime: Infinity });
