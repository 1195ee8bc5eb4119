import { readFile, writeFile } from "node:fs/promises";

/** The four measurements of a flower, in the order of the data set, then its species. */
export const FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
export const SPECIES = ["setosa", "versicolor", "virginica"];

export const writeCsv = async (file, rows) => {
  const lines = [[...FEATURES, "species"].join(","), ...rows.map((row) => [...row.features, row.species].join(","))];
  await writeFile(file, `${lines.join("\n")}\n`);
};

export const readCsv = async (file) => {
  const [header, ...lines] = (await readFile(file, "utf8")).trim().split("\n");
  if (header !== [...FEATURES, "species"].join(",")) throw new Error(`${file}: unexpected header ${header}`);
  return lines.map((line) => {
    const cells = line.split(",");
    return { features: cells.slice(0, 4).map(Number), species: cells[4] };
  });
};
