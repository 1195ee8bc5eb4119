import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const DeploymentPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="DeploymentPage" />{JSON.stringify(props)}</div>;
export default DeploymentPage;
