// The lab's model calls (listModels, importModel) over the files beside a lab file and the
// shipped examples (./modelFile/modelFiles.ts), for the full service and a read-only lab.
import type { ModelFileInfo } from '../contract/labApi';
import { importModelRequestSchema } from '../contract/labArgs';
import { MODEL_FILE_MAX_BYTES } from '../contract/modelFiles';
import { fail, ok, type Result } from '../contract/result';
import { TensorFileError } from './modelFile/importedModel';
import { importModelFile, listModelFiles } from './modelFile/modelFiles';
import { guard, invalid } from './serviceResult';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function modelCalls(
  dbPath: string,
  readOnly: boolean,
): {
  listModels(): Promise<Result<ModelFileInfo[]>>;
  importModel(request: unknown): Promise<Result<ModelFileInfo>>;
} {
  return {
    listModels: () => guard(() => ok(listModelFiles(dbPath))),
    importModel: (request) =>
      guard(() => {
        if (readOnly) return fail('read-only', 'the lab file is on read-only media: a model cannot be stored beside it');
        const parsed = importModelRequestSchema.safeParse(request);
        if (!parsed.success) return invalid('invalid model file', parsed.error);
        const { fileName, bytesBase64 } = parsed.data;
        if (bytesBase64.length % 4 !== 0 || !BASE64.test(bytesBase64)) {
          const message = 'bytesBase64 is not base64 (A-Z, a-z, 0-9, +, / and = padding)';
          return fail('invalid-argument', message, [{ path: 'bytesBase64', message }]);
        }
        const bytes = Buffer.from(bytesBase64, 'base64');
        try {
          return ok(importModelFile(dbPath, fileName, bytes));
        } catch (err) {
          if (!(err instanceof TensorFileError)) throw err;
          return fail('invalid-argument', err.message, [{ path: 'file', message: err.message }]);
        }
      }),
  };
}

export { MODEL_FILE_MAX_BYTES };
