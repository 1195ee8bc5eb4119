import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const ModelPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="ModelPage" />{JSON.stringify(props)}</div>;
export default ModelPage;
