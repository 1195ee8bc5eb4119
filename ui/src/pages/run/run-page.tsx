import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const RunPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="RunPage" />{JSON.stringify(props)}</div>;
export default RunPage;
