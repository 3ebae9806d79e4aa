import { createContext, useContext, type ReactNode } from "react";

const InsideMain = createContext(false);

/** Marks a layout's <main>, so pages rendered inside it do not open a second one. */
export function MainLandmark({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <main id="main" className={className} tabIndex={-1}>
      <InsideMain.Provider value={true}>{children}</InsideMain.Provider>
    </main>
  );
}

/** A page's outer element: the <main> landmark when standing alone, a section inside a layout. */
export function PageMain({ children }: { children: ReactNode }) {
  const inside = useContext(InsideMain);
  if (inside) return <section className="centered-page">{children}</section>;
  return (
    <main id="main" className="centered-page" tabIndex={-1}>
      {children}
    </main>
  );
}
