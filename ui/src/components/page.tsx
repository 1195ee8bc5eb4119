import { useEffect, type ReactNode } from "react";

/** A page's heading, breadcrumbs and actions; also names the browser tab. */
export const PageHeader = ({ title, crumbs, actions }: { title: string; crumbs?: ReactNode; actions?: ReactNode }): ReactNode => {
  useEffect(() => {
    document.title = `${title} · Cairn`;
  }, [title]);
  return (
    <header className="page-header">
      {crumbs ? <nav aria-label="Breadcrumbs" className="crumbs">{crumbs}</nav> : null}
      <div className="page-title-row">
        <h1>{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
    </header>
  );
};
