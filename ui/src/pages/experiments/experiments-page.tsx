import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const ExperimentsPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="ExperimentsPage" />{JSON.stringify(props)}</div>;
export default ExperimentsPage;
