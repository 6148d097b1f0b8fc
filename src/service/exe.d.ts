/** `import path from "x.exe" with { type: "file" }`: Bun embeds the file and gives its path. */
declare module "*.exe" {
  const path: string;
  export default path;
}
