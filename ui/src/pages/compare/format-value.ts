import { formatNumber } from "../../format";
import type { FieldValue } from "./run-fields";

export const formatFieldValue = (value: FieldValue): string => (value === undefined ? "—" : typeof value === "number" ? formatNumber(value) : value);
