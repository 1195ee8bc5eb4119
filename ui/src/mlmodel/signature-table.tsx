import type { ReactNode } from "react";
import type { ModelSignature, SignatureField } from "./mlmodel";
import "./mlmodel.css";

/** One list of a signature: name, type, shape and whether it is required, and the defaults when any field has one (params). */
export const SignatureTable = ({ caption, fields }: { caption: string; fields: readonly SignatureField[] }): ReactNode => {
  const withDefaults = fields.some((field) => field.default !== undefined);
  return (
    <table className="data signature-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Shape</th>
          <th scope="col">Required</th>
          {withDefaults ? <th scope="col">Default</th> : null}
        </tr>
      </thead>
      <tbody>
        {fields.map((field, index) => (
          <tr key={`${index}:${field.name}`}>
            <th scope="row" className="mono">
              {field.name}
            </th>
            <td className="mono">{field.type}</td>
            <td className="mono">{field.shape || "—"}</td>
            <td>{field.required ? "yes" : "no"}</td>
            {withDefaults ? <td className="mono">{field.default ?? "—"}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
};

/** A signature's inputs, outputs and params (params only when it has some), or a line saying there is none. */
export const SignatureTables = ({ signature }: { signature: ModelSignature | undefined }): ReactNode => {
  if (signature === undefined) return <p className="muted">The MLmodel file declares no signature.</p>;
  return (
    <>
      {signature.inputs.length > 0 ? <SignatureTable caption="Inputs" fields={signature.inputs} /> : <p className="muted">No input signature.</p>}
      {signature.outputs.length > 0 ? <SignatureTable caption="Outputs" fields={signature.outputs} /> : <p className="muted">No output signature.</p>}
      {signature.params.length > 0 ? <SignatureTable caption="Parameters" fields={signature.params} /> : null}
    </>
  );
};
