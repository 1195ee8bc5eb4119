import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const ModelVersionPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="ModelVersionPage" />{JSON.stringify(props)}</div>;
export default ModelVersionPage;
