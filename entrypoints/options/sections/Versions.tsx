import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ErrorState, Loading } from '@/components/StatusMessage';
import { db } from '@/lib/db/db';
import { background } from '@/lib/messaging/client';
import { deleteModel, listModels } from '@/lib/ml/model-store';
import { activateModel, exportFileNames, exportFiles, importModel, previousModelId, rollBack } from '@/lib/ml/model-versions';
import { formatModelDate } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { downloadFile } from '@/lib/ui/download';

const ORIGIN_WORDS = { bundled: 'Bundled', trained: 'Trained here', imported: 'Imported' } as const;

/** After the active model changes, score the stored leads with it (progress shows in the side panel and here). */
async function scoreWithActive(modelId: string) {
  if ((await db.leads.count()) === 0) return;
  const reply = await background.scoreStoredLeads({ modelId });
  if (!reply.ok) throw new Error(reply.error);
}

async function download(modelId: string) {
  const { manifestJson, onnx } = await exportFiles(modelId);
  const names = exportFileNames(modelId);
  downloadFile(names.manifest, manifestJson, 'application/json');
  downloadFile(names.onnx, onnx, 'application/octet-stream');
}

function ImportForm({ onImported }: { onImported(): Promise<unknown> }) {
  const manifestInput = useRef<HTMLInputElement>(null);
  const onnxInput = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const importFiles = useMutation({
    mutationFn: async () => {
      const manifestFile = manifestInput.current?.files?.[0];
      const onnxFile = onnxInput.current?.files?.[0];
      if (!manifestFile || !onnxFile) throw new Error('Choose both files: manifest.json and model.onnx');
      const manifest = await importModel(await manifestFile.text(), new Uint8Array(await onnxFile.arrayBuffer()), (modelId) =>
        background.checkModel({ modelId }),
      );
      return manifest.modelId;
    },
    onSuccess: (modelId) => setMessage({ ok: true, text: `Imported ${modelId}. It is not active yet: activate it below when you are ready.` }),
    onError: (error) => setMessage({ ok: false, text: error.message }),
    onSettled: onImported,
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setMessage(null);
        importFiles.mutate();
      }}
      style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'end' }}
    >
      <label>
        manifest.json
        <input ref={manifestInput} type="file" accept=".json,application/json" name="manifest" />
      </label>
      <label>
        model.onnx
        <input ref={onnxInput} type="file" accept=".onnx" name="onnx" />
      </label>
      <button type="submit" disabled={importFiles.isPending}>
        {importFiles.isPending ? 'Checking the model…' : 'Import model'}
      </button>
      {message && (message.ok ? <p role="status">{message.text}</p> : <ErrorState message={message.text} />)}
    </form>
  );
}

/** Every model: activate, roll back, export, import, delete. */
export function VersionsSection() {
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: queryKeys.models(), queryFn: listModels });
  const previous = useQuery({ queryKey: [...queryKeys.models(), 'previous'], queryFn: previousModelId });
  const invalidate = () => Promise.all([queryKeys.models(), queryKeys.leads()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const action = useMutation({
    mutationFn: async (run: () => Promise<unknown>) => run(),
    onSettled: invalidate,
  });
  const activate = (modelId: string) => action.mutate(async () => {
    await activateModel(modelId);
    await scoreWithActive(modelId);
  });
  if (models.isPending) return <Loading what="models" />;
  if (models.isError) return <ErrorState message={models.error.message} />;
  const previousModel = models.data.find((model) => model.id === previous.data && !model.active);
  return (
    <>
      {previousModel && (
        <p>
          <button type="button" onClick={() => action.mutate(async () => scoreWithActive(await rollBack()))} disabled={action.isPending}>
            Roll back to {previousModel.id}
          </button>
        </p>
      )}
      <table className="versions">
        <caption className="visually-hidden">Models</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Origin</th>
            <th scope="col">Trained</th>
            <th scope="col">Data</th>
            <th scope="col">ROC-AUC</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {models.data.map((model) => (
            <tr key={model.id} data-model-id={model.id}>
              <th scope="row">
                {model.id}
                {model.active && <strong> (active)</strong>}
              </th>
              <td>{ORIGIN_WORDS[model.origin]}</td>
              <td>{formatModelDate(model.createdAt)}</td>
              <td>
                {model.rows.toLocaleString('en-US')} leads, {model.positives.toLocaleString('en-US')} conversions
              </td>
              <td>{model.cvRocAuc?.toFixed(3) ?? 'not given'}</td>
              <td style={{ display: 'flex', gap: 6, flexWrap: 'wrap' }}>
                {!model.active && (
                  <button type="button" onClick={() => activate(model.id)} disabled={action.isPending} aria-label={`Activate ${model.id}`}>
                    Activate
                  </button>
                )}
                <button type="button" onClick={() => action.mutate(() => download(model.id))} aria-label={`Export ${model.id}`}>
                  Export
                </button>
                {!model.active && model.origin !== 'bundled' && (
                  <button type="button" onClick={() => action.mutate(() => deleteModel(model.id))} disabled={action.isPending} aria-label={`Delete ${model.id}`}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {action.isError && <ErrorState message={action.error.message} />}
      <h3 style={{ fontSize: 15 }}>Import a model</h3>
      <p>
        A model trained elsewhere, or exported here: its manifest is checked against the schema and the engine runs it once before it is
        kept (a manifest with shape functions must match its model.onnx exactly). Exported files start with their model id: choose both
        files of one model.
      </p>
      <ImportForm onImported={invalidate} />
    </>
  );
}
