/** The console's stylesheet, imported as text by console-assets.ts. */
declare module "*.css" {
  const text: string;
  export default text;
}

/** docs/openapi.yaml, imported as text by console-assets.ts. */
declare module "*.yaml" {
  const text: string;
  export default text;
}
