import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { formatNumber, formatTime } from "../../format";
import { getCard, registryKeys } from "./registry-api";
import type { ModelCard } from "./registry-wire";
import { actorName, paragraphs } from "./text";

const TEXT_SECTIONS: readonly { field: "description" | "intended_use" | "training_data" | "limitations" | "ethical_considerations"; title: string }[] = [
  { field: "description", title: "Description" },
  { field: "intended_use", title: "Intended use" },
  { field: "training_data", title: "Training data" },
  { field: "limitations", title: "Limitations" },
  { field: "ethical_considerations", title: "Ethical considerations" },
];

/** Authors write Markdown-ish text: it is shown as text (paragraphs, line breaks kept), never parsed into markup. */
const CardText = ({ text }: { text: string }): ReactNode =>
  text.trim() === "" ? (
    <p className="muted">Not written yet.</p>
  ) : (
    <div className="card-text">
      {paragraphs(text).map((paragraph, index) => (
        <p key={index}>{paragraph}</p>
      ))}
    </div>
  );

const CardBody = ({ card }: { card: ModelCard }): ReactNode => (
  <>
    {TEXT_SECTIONS.map(({ field, title }) => (
      <section key={field} className="card-section" aria-label={title}>
        <h3>{title}</h3>
        <CardText text={card[field]} />
      </section>
    ))}
    <section className="card-section" aria-label="Evaluation metrics">
      <h3>Evaluation metrics</h3>
      {card.evaluation_metrics.length === 0 ? (
        <p className="muted">{card.run_id ? "The source run logged no metrics." : "The version has no source run."}</p>
      ) : (
        <table className="data signature-table">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col" className="num">
                Step
              </th>
            </tr>
          </thead>
          <tbody>
            {card.evaluation_metrics.map((metric) => (
              <tr key={metric.key}>
                <td className="mono">{metric.key}</td>
                <td className="num">{formatNumber(metric.value)}</td>
                <td className="num">{metric.step}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
    <section className="card-section" aria-label="Owners">
      <h3>Owners</h3>
      {card.owners.length === 0 ? <p className="muted">No owners named.</p> : <p>{card.owners.join(", ")}</p>}
    </section>
    <p className="muted">
      {card.updated_time === undefined
        ? "Nobody has written this card yet; set it with `cairn models card` or the SDK."
        : `Last written by ${actorName(card.updated_by)} on ${formatTime(card.updated_time)}.`}
    </p>
  </>
);

export const CardTab = ({ name, version }: { name: string; version: string }): ReactNode => {
  const card = useQuery({ queryKey: registryKeys.card(name, version), queryFn: ({ signal }) => getCard(name, version, signal) });
  if (card.isPending) return <Loading what="the model card" />;
  return (
    <article className="card" aria-labelledby="model-card-heading">
      <h2 id="model-card-heading">Model card</h2>
      <ErrorBanner error={card.error} what="the model card" />
      {card.data ? <CardBody card={card.data} /> : null}
    </article>
  );
};
