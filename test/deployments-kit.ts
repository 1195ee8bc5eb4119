import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as ort from "onnxruntime-node";
import type { Database } from "better-sqlite3";
import { systemContext, type WriteContext } from "../src/core/actor.js";
import type { AuditEntry, AuditRecorder } from "../src/audit/recorder.js";
import type { ArtifactStore } from "../src/artifacts/store.js";
import { RegistryService } from "../src/registry/service.js";
import { artifactMaterializer } from "../src/serving/deployments/artifact-materializer.js";
import type { DeploymentStore } from "../src/serving/deployments/deployment.js";
import { DeploymentService, type DeploymentServiceOptions } from "../src/serving/deployments/deployment-service.js";
import { loadModel } from "../src/serving/model/load-model.js";
import type { Tensor, TensorMap } from "../src/serving/tensor.js";
import { openLocalArtifactStore } from "../src/stores/artifact-stores/local/index.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteDeploymentStore } from "../src/stores/sqlite/sqlite-deployment-store.js";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../src/stores/sqlite/sqlite-tracking-store.js";

export interface RecordedAudit extends AuditEntry {
  context: WriteContext;
}

export const ctx: WriteContext = { actor: { name: "ada", verified: false }, requestId: "req-1" };

/**
 * A real registry and artifact store on a temp SQLite file, and a DeploymentService over them with the real
 * loader (onnxruntime-node) and the real materializer. `restart()` builds a new service on the same files, as a
 * server restart would.
 */
export class DeploymentsKit {
  readonly folder = mkdtempSync(join(tmpdir(), "cairn-deployments-"));
  readonly db: Database = openDatabase(join(this.folder, "cairn.db"));
  readonly audits: RecordedAudit[] = [];
  readonly errors: string[] = [];
  readonly registry: RegistryService;
  service!: DeploymentService;
  artifacts!: ArtifactStore;
  private readonly bytesByVersion = new Map<string, Uint8Array>();
  private readonly sessions = new Map<string, ort.InferenceSession>();

  constructor(
    private readonly serviceOptions: Partial<DeploymentServiceOptions> = {},
    /** Where each service's deployments live (default: the kit's SQLite file); a replica test passes one store per "process". */
    private readonly deploymentStore: () => DeploymentStore = () => new SqliteDeploymentStore(this.db),
  ) {
    const tracking = new SqliteTrackingStore(this.db);
    tracking.ensureDefaultExperiment("mlflow-artifacts:/0", 1);
    const audit = this.auditRecorder();
    this.registry = new RegistryService(new SqliteRegistryStore(this.db), {
      tracking,
      audit,
      // The registry's sink is the service of the moment (restart() replaces it).
      events: { publish: (event) => this.service.publish(event) },
      promotion: { check: async () => ({ allowed: true, unmet: [] }) },
    });
  }

  auditRecorder(): AuditRecorder {
    return { record: async (context, entry) => void this.audits.push({ context, ...entry }) };
  }

  static async open(options: Partial<DeploymentServiceOptions> = {}, deploymentStore?: () => DeploymentStore): Promise<DeploymentsKit> {
    const kit = new DeploymentsKit(options, deploymentStore);
    kit.artifacts = await openLocalArtifactStore(join(kit.folder, "artifacts"));
    kit.service = kit.newService();
    return kit;
  }

  newService(overrides: Partial<DeploymentServiceOptions> = {}): DeploymentService {
    return new DeploymentService(this.deploymentStore(), {
      registry: this.registry,
      materialize: artifactMaterializer({
        store: this.artifacts,
        downloadUri: (name, version) => this.registry.getModelVersionDownloadUri(name, version),
        cacheDir: join(this.folder, "model-cache"),
      }),
      loadModel,
      audit: this.auditRecorder(),
      onError: (error, what) => void this.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`),
      ...this.serviceOptions,
      ...overrides,
    });
  }

  async restart(): Promise<void> {
    await this.service.stop();
    this.service = this.newService();
    await this.service.start();
    await this.service.loaded();
  }

  /** Registers the next version of `model` with these ONNX bytes (a bare .onnx file in the artifact store). */
  async register(model: string, bytes: Uint8Array): Promise<string> {
    try {
      await this.registry.getRegisteredModel(model);
    } catch {
      await this.registry.createRegisteredModel({ name: model, tags: [] }, systemContext());
    }
    const key = `models/${model}/${this.bytesByVersion.size + 1}/model.onnx`;
    await this.artifacts.write(key, Readable.from([Buffer.from(bytes)]));
    const version = await this.registry.createModelVersion({ name: model, source: `mlflow-artifacts:/${key}`, tags: [] }, systemContext());
    this.bytesByVersion.set(`${model}/${version.version}`, bytes);
    return version.version;
  }

  /** onnxruntime-node called directly on the version's bytes: the reference every served answer is compared with. */
  async direct(model: string, version: string, feeds: TensorMap): Promise<TensorMap> {
    const id = `${model}/${version}`;
    let session = this.sessions.get(id);
    if (session === undefined) {
      session = await ort.InferenceSession.create(this.bytesByVersion.get(id) as Uint8Array);
      this.sessions.set(id, session);
    }
    const input: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
    const out = await session.run(input);
    const result: TensorMap = {};
    for (const [name, t] of Object.entries(out)) result[name] = { type: t.type as Tensor["type"], dims: [...t.dims], data: t.data as Tensor["data"] };
    return result;
  }

  actions(): string[] {
    return this.audits.filter((a) => a.action.startsWith("serving.")).map((a) => a.action);
  }

  async close(): Promise<void> {
    await this.service.stop();
    for (const s of this.sessions.values()) await s.release();
    this.db.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

export const floats = (rows: number[][]): Tensor => ({
  type: "float32",
  dims: [rows.length, rows[0]?.length ?? 0],
  data: Float32Array.from(rows.flat()),
});

export const values = (t: Tensor | undefined): number[] => Array.from((t?.data ?? []) as ArrayLike<number | bigint>, Number);
