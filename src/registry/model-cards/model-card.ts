import type { Actor } from "../../core/actor.js";

/** A model card as Cairn's API returns it: the user-written fields plus the evaluation metrics of the source run. */
export interface ModelCard {
  name: string;
  version: string;
  run_id?: string;
  /** MLflow 3: the logged model the version was registered from (its source run is run_id). */
  model_id?: string;
  description: string;
  intended_use: string;
  training_data: string;
  evaluation_metrics: EvaluationMetric[];
  limitations: string;
  ethical_considerations: string;
  owners: string[];
  /** Absent while nobody has written the card. */
  updated_by?: Actor;
  updated_time?: number;
}

export interface EvaluationMetric {
  key: string;
  value: number;
  step: number;
}
