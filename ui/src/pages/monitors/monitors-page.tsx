import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const MonitorsPage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="MonitorsPage" />{JSON.stringify(props)}</div>;
export default MonitorsPage;
