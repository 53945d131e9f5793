import * as React from "react";

/** React.lazy for a named export: `lazyNamed(() => import("./Page"), "Page")` becomes its own chunk. */
type AnyComponent = React.ComponentType<any>;

export function lazyNamed<K extends string, M extends Record<K, AnyComponent>>(load: () => Promise<M>, name: K) {
  return React.lazy(() => load().then((module) => ({ default: module[name] as M[K] })));
}
