import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const RunsPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="RunsPage" />{JSON.stringify(props)}</div>;
export default RunsPage;
