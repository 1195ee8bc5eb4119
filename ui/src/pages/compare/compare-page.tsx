import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";

// Placeholder until this page lands.
const ComparePage = (props: { [key: string]: string }): ReactNode => <div className="page"><PageHeader title="ComparePage" />{JSON.stringify(props)}</div>;
export default ComparePage;
