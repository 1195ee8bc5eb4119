import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const DeploymentsPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="DeploymentsPage" />{JSON.stringify(props)}</div>;
export default DeploymentsPage;
