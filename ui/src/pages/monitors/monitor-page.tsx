import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const MonitorPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="MonitorPage" />{JSON.stringify(props)}</div>;
export default MonitorPage;
