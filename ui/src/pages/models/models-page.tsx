import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const ModelsPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="ModelsPage" />{JSON.stringify(props)}</div>;
export default ModelsPage;
