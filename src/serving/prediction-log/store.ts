import type { LabelRecord, PredictionRecord } from "./records.js";

export interface PredictionQuery {
  deployment?: string;
  version?: string;
  /** Inclusive lower bound on time (epoch ms). */
  since?: number;
  /** Exclusive upper bound on time (epoch ms). */
  until?: number;
  maxResults: number;
  pageToken?: string;
}

/** A logged prediction with its label, when one has arrived for its request id. */
export interface StoredPrediction extends PredictionRecord {
  label?: { value: string; time: number };
}

export interface PredictionPage {
  predictions: StoredPrediction[];
  nextPageToken?: string;
}

/** Where the prediction log and labels persist (SQLite: src/stores/sqlite/sqlite-prediction-log-store.ts). */
export interface PredictionLogStore {
  insertPredictions(records: readonly PredictionRecord[]): Promise<void>;
  /** A label for a request id replaces an earlier one. */
  upsertLabels(labels: readonly LabelRecord[]): Promise<void>;
  searchPredictions(query: PredictionQuery): Promise<PredictionPage>;
  /** The deployment that logged each of these request ids (authorization of labels); ids never logged are absent. */
  deploymentsOfRequests(requestIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Deletes predictions and labels older than `time`, the oldest first, at most `limit` of each when given (one short
   * write; the caller repeats while a whole chunk went); returns the predictions deleted. The label of a deleted
   * prediction goes with it (unless another logged prediction still carries its request id).
   */
  deleteOlderThan(time: number, limit?: number): Promise<number>;
  /**
   * Keeps the newest `maxRows` predictions, deleting at most `limit` (the oldest) when given, with their labels;
   * returns how many were deleted. Cheap when the log is within the bound (a kept count, not a scan).
   */
  trimToRows(maxRows: number, limit?: number): Promise<number>;
  /** deleteOlderThan for one deployment's predictions only (an index seek when none is older). */
  deleteDeploymentOlderThan(deployment: string, time: number, limit?: number): Promise<number>;
  /**
   * Keeps the newest `maxRows` predictions of one deployment (by time), deleting at most `limit` when given, with
   * their labels; returns how many were deleted. Cheap when within the bound (a kept count, not a scan).
   */
  trimDeploymentToRows(deployment: string, maxRows: number, limit?: number): Promise<number>;
  /** Predictions in the log per deployment (the kept counts retention decides by); deployments with none are absent. */
  countsByDeployment(): Promise<Map<string, number>>;
}
