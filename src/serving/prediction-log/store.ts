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
   * write; the caller repeats while a whole chunk went); returns the predictions deleted.
   */
  deleteOlderThan(time: number, limit?: number): Promise<number>;
  /** Keeps the newest `maxRows` predictions, deleting at most `limit` (the oldest) when given; returns how many were deleted. */
  trimToRows(maxRows: number, limit?: number): Promise<number>;
}
