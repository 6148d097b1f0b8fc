/** The console's stylesheet, imported as text by console-assets.ts. */
declare module "*.css" {
  const text: string;
  export default text;
}
