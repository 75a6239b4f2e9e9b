/**
 * What the options page does with model versions, on top of the model store: activate
 * (remembering the previous model, for a one-click roll back), import (schema-checked, then
 * checked by the engine before anyone can activate it) and export.
 */
import { db } from '../db/db';
import { parseManifest, type Manifest } from './manifest';
import { PREVIOUS_MODEL_KEY, activeModelId, manifestOf, modelBytes, saveModel, setActiveModel } from './model-store';

export async function previousModelId(): Promise<string | null> {
  const value = (await db.settings.get(PREVIOUS_MODEL_KEY))?.value;
  return typeof value === 'string' ? value : null;
}

/** Activate `modelId`, remembering the model it replaces. */
export async function activateModel(modelId: string): Promise<void> {
  const current = await activeModelId();
  if (current === modelId) return;
  await setActiveModel(modelId);
  await db.settings.put({ key: PREVIOUS_MODEL_KEY, value: current });
}

/** Reactivate the model active before the last change (which becomes the one to roll back to). */
export async function rollBack(): Promise<string> {
  const previous = await previousModelId();
  if (!previous) throw new Error('There is no earlier model to roll back to');
  await activateModel(previous);
  return previous;
}

/** The engine's verdict on a stored model: `{ ok: true }` or a readable error. */
export type ModelCheck = (modelId: string) => Promise<{ ok: true } | { ok: false; error: string }>;

/**
 * Import `manifest.json` text and `model.onnx` bytes as a new, inactive model. The manifest
 * is schema-checked first; the model is then stored and run once by the engine (`check`);
 * if anything fails it is deleted again, with an error that says what failed. The active
 * model is never touched.
 */
export async function importModel(manifestText: string, onnx: Uint8Array, check: ModelCheck): Promise<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(manifestText);
  } catch {
    throw new Error('manifest.json is not valid JSON');
  }
  const parsed = parseManifest(json);
  if (!parsed.ok) throw new Error(parsed.error);
  const { manifest } = parsed;
  const installed = await manifestOf(manifest.modelId).then(
    () => true,
    () => false,
  );
  if (installed) throw new Error(`Model ${manifest.modelId} is already installed`);
  await saveModel(manifest, onnx, 'imported');
  const verdict = await check(manifest.modelId).catch((error: unknown) => ({ ok: false as const, error: String(error) }));
  if (!verdict.ok) {
    await db.models.delete(manifest.modelId);
    throw new Error(`The model did not pass its check and was not imported: ${verdict.error}`);
  }
  return manifest;
}

/**
 * The names export gives a model's two files: prefixed with the model id, so files of
 * different models are not mixed up on import (which takes any file names).
 */
export function exportFileNames(modelId: string): { manifest: string; onnx: string } {
  const prefix = modelId.replace(/[^A-Za-z0-9._-]/g, '_'); // safe in a file name on every OS
  return { manifest: `${prefix}.manifest.json`, onnx: `${prefix}.model.onnx` };
}

/**
 * The two files of a model, as they would be imported again. The manifest is the one the
 * model scores with: with the admin's tier policy, which is kept apart from the stored manifest.
 */
export async function exportFiles(modelId: string): Promise<{ manifestJson: string; onnx: Uint8Array }> {
  const manifest = await manifestOf(modelId);
  return { manifestJson: JSON.stringify(manifest, null, 2), onnx: await modelBytes(modelId) };
}
